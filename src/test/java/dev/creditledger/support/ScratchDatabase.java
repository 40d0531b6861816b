package dev.creditledger.support;

import dev.creditledger.db.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A throw-away PostgreSQL in the test's own JVM for a {@link ServiceProcess} (so the test can lock
 * rows under it and read its ledger), with a fresh database per service. Non-durable, as every
 * test database (docs/design.md, invariant I7).
 */
public final class ScratchDatabase implements AutoCloseable {

    private final EmbeddedPostgresServer server;
    private final String database;

    private ScratchDatabase(EmbeddedPostgresServer server, String database) {
        this.server = server;
        this.database = database;
    }

    public static ScratchDatabase start() throws IOException, SQLException {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Files.createTempDirectory("credit-ledger-scratch-db"), 0, false);
        String database = "service_" + UUID.randomUUID().toString().replace("-", "");
        ScratchDatabase scratch = new ScratchDatabase(server, database);
        try (Connection c = scratch.dataSource("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + database);
        }
        return scratch;
    }

    /** The service's environment for this database. */
    public Map<String, String> serviceEnvironment() {
        return Map.of("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + server.port() + "/" + database,
                "QUARKUS_DATASOURCE_USERNAME", "postgres");
    }

    public DataSource dataSource() {
        return dataSource(database);
    }

    private DataSource dataSource(String name) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {server.port()});
        ds.setDatabaseName(name);
        ds.setUser("postgres");
        return ds;
    }

    @Override
    public void close() {
        server.close();
    }
}
