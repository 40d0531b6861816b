package dev.creditledger.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * A PostgreSQL server run from the binaries shipped as a Maven artifact, keeping its data in a
 * directory of ours so a restart finds the same ledger.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts a durable server on {@code port} (0: any free port) over {@code dataDirectory},
     * creating it on first use: a commit returns only once it is flushed to disk (docs/design.md,
     * invariant I7). The library's own defaults (fsync and synchronous_commit off) are overridden.
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
        return start(dataDirectory, port, true);
    }

    /** As {@link #start(Path, int)}; {@code durable} false is for a throw-away test database only. */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port, boolean durable) {
        try {
            Path dir = dataDirectory.toAbsolutePath().normalize();
            Files.createDirectories(dir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off");
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start(), dir);
            LOG.infof("Embedded PostgreSQL listening on 127.0.0.1:%d, data in %s", server.port(), dir);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded PostgreSQL did not start over " + dataDirectory, e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port() + "/postgres";
    }

    public String jdbcUrl() {
        return "jdbc:" + reactiveUrl();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
