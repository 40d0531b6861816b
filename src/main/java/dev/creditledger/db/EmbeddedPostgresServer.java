package dev.creditledger.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * A PostgreSQL server run from the binaries shipped as a Maven artifact, keeping its data in a
 * directory of ours so a restart finds the same ledger.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);
    /** The lock file the library holds in the data directory while a server of this JVM runs there. */
    static final String LOCK_FILE = "epg-lock";
    private static final Duration ORPHAN_STOP = Duration.ofSeconds(60);

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
            clearLeftovers(dir);
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

    /**
     * What a killed service leaves in its data directory must never block the next start (docs/design.md,
     * rule O5). PostgreSQL runs as a daemon of its own, so a service killed with SIGKILL leaves it
     * running with no one to stop it: the next start stops that orphan cleanly (SIGINT, PostgreSQL's
     * fast shutdown: it ends any session a stray client left open, checkpoints and exits), then
     * starts its own with this start's settings and port. A {@code postmaster.pid} naming a process
     * that is no postgres of this directory (its number reused, say after a container restart) is
     * removed; one naming no process at all PostgreSQL removes itself. None of this is done while
     * another live service holds the directory's lock file: that start is then refused by the
     * library ("could not lock").
     */
    static void clearLeftovers(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(channel)) {
            if (lock == null) {
                return; // a live service holds the directory: the library refuses this start
            }
            long pid;
            try {
                pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            } catch (RuntimeException e) {
                LOG.warnf("Removing an unreadable %s", pidFile);
                Files.deleteIfExists(pidFile);
                return;
            }
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty() || pid == ProcessHandle.current().pid()) {
                return;
            }
            Optional<String> command = process.get().info().command();
            Optional<String[]> arguments = process.get().info().arguments();
            if (command.isEmpty() || arguments.isEmpty()) {
                return; // cannot tell what it is: left to PostgreSQL
            }
            if (isPostmasterOf(command.get(), arguments.get(), dir)) {
                LOG.warnf("The PostgreSQL of a previous run (PID %d) still serves %s; stopping it cleanly first", pid, dir);
                fastShutdown(pid);
                try {
                    process.get().onExit().get(ORPHAN_STOP.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while stopping the previous PostgreSQL", e);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IOException("the PostgreSQL of a previous run (PID " + pid + ") did not stop within " + ORPHAN_STOP, e);
                }
            } else {
                LOG.infof("Removing a stale %s (PID %d is another process now)", pidFile, pid);
                Files.deleteIfExists(pidFile);
            }
        }
    }

    /** The library's lock, or null when another process holds it (or this JVM does: a second start here). */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** A postgres executable started with {@code -D <dir>}: exactly this directory, not one whose name merely contains it. */
    static boolean isPostmasterOf(String command, String[] arguments, Path dir) {
        if (!Path.of(command).getFileName().toString().equals("postgres")) {
            return false;
        }
        for (int i = 0; i + 1 < arguments.length; i++) {
            if (arguments[i].equals("-D") && Path.of(arguments[i + 1]).toAbsolutePath().normalize().equals(dir)) {
                return true;
            }
        }
        return false;
    }

    /** SIGINT: PostgreSQL's fast shutdown (sessions ended, a checkpoint, a clean stop). Java can only send TERM and KILL itself. */
    private static void fastShutdown(long pid) throws IOException {
        try {
            int status = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
            if (status != 0) {
                throw new IOException("kill -INT " + pid + " exited " + status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the previous PostgreSQL", e);
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
