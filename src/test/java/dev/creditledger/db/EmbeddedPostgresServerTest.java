package dev.creditledger.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The embedded default keeps its data: a restart over the same directory finds it, and every commit is durable. */
class EmbeddedPostgresServerTest {

    @Test
    void theEmbeddedDefaultCommitsDurably() throws Exception {
        Path dir = Files.createTempDirectory("credit-ledger-embedded-durable");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0);
             Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            assertEquals("on", setting(s, "fsync"));
            assertEquals("on", setting(s, "synchronous_commit"));
            assertEquals("on", setting(s, "full_page_writes"));
        }
    }

    private static String setting(Statement s, String name) throws Exception {
        try (ResultSet rs = s.executeQuery("show " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aRestartOverTheSameDataDirectoryFindsTheSameData() throws Exception {
        Path dir = Files.createTempDirectory("credit-ledger-embedded");
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dir, 0);
             Connection c = DriverManager.getConnection(first.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("create table kept (v text)");
            s.execute("insert into kept values ('still here')");
        }
        try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start(dir, 0);
             Connection c = DriverManager.getConnection(second.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select v from kept")) {
            rs.next();
            assertEquals("still here", rs.getString(1));
            assertEquals(dir.toAbsolutePath().normalize(), second.dataDirectory());
        }
    }

    @Test
    void onlyAPostmasterOfThisVeryDirectoryIsTakenForAnOrphan() {
        Path dir = Path.of("/var/lib/credits/data");
        assertTrue(EmbeddedPostgresServer.isPostmasterOf("/tmp/embedded-pg/PG-1/bin/postgres",
                new String[] {"-D", "/var/lib/credits/data", "-p", "15432"}, dir));
        assertFalse(EmbeddedPostgresServer.isPostmasterOf("/tmp/embedded-pg/PG-1/bin/postgres",
                new String[] {"-D", "/var/lib/credits/data2"}, dir), "another directory whose name starts the same");
        assertFalse(EmbeddedPostgresServer.isPostmasterOf("/usr/bin/java",
                new String[] {"-Dcredits.database.data-dir=/var/lib/credits/data", "-D", "/var/lib/credits/data"}, dir),
                "a process that is no postgres, whatever its arguments");
    }

    @Test
    void aStalePidFileNamingAnotherLiveProcessDoesNotBlockAStart() throws Exception {
        Path dir = Files.createTempDirectory("credit-ledger-embedded-stale");
        EmbeddedPostgresServer.start(dir, 0).close();
        // As after a crash and a container restart: the file names a process number that is in use
        // again, by something else (here a process of the test's). PostgreSQL alone would refuse to start.
        Process other = new ProcessBuilder("sleep", "300").start();
        Files.writeString(dir.resolve("postmaster.pid"), other.pid() + "\n" + dir + "\n");
        try (AutoCloseable stopOther = other::destroyForcibly;
             EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0);
             Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            assertTrue(rs.next());
        }
    }
}
