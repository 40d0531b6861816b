package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.ScratchDatabase;
import dev.creditledger.support.ServiceProcess;
import dev.creditledger.support.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Replicas started together on one empty database migrate it once (docs/design.md, rule S5): two
 * packaged services start at the same moment against a fresh database of a PostgreSQL run by this
 * test; both come up and serve, and the schema history holds every migration file exactly once, each
 * successful. Flyway serializes them with a PostgreSQL advisory lock. To make sure they contend for
 * it rather than one finishing before the other begins, the test itself holds that lock until both
 * services are waiting for it (seen in pg_stat_activity), then lets them go at once.
 *
 * <p>Meanwhile their scheduled jobs are due every second from the start, and the schema they work
 * on does not exist yet: no run starts before the start-up has migrated it (the scheduler itself
 * starts earlier), so neither service logs an error; once up, the jobs run.
 */
class MigrationRaceIT {

    private static final String ADMIN_KEY = "migration-race-admin-key-0123456789abcdef";
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    /**
     * Flyway's lock on the default schema history table: PostgreSQLAdvisoryLockTemplate takes a magic
     * number plus the hash of the table's name. Should Flyway change it, the services no longer wait
     * behind this test's hold and the test fails saying so.
     */
    static final long FLYWAY_LOCK = 77431708279161L + "\"public\".\"flyway_schema_history\"".hashCode();

    @Test
    void twoInstancesStartedTogetherOnAnEmptyDatabaseMigrateItOnceAndRunNoJobBefore() throws Exception {
        Path dir = Files.createTempDirectory("credit-ledger-race");
        try (ScratchDatabase db = ScratchDatabase.start()) {
            List<ServiceProcess> services = new ArrayList<>();
            try (Connection barrier = db.dataSource().getConnection()) {
                query(barrier, "select pg_advisory_lock(" + FLYWAY_LOCK + ")");
                try {
                    for (String name : List.of("a", "b")) {
                        Map<String, String> env = new HashMap<>(db.serviceEnvironment());
                        env.put("CREDITS_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
                        env.put("CREDITS_DATABASE_DATA_DIR", dir.resolve(name).toString());
                        env.put("CREDITS_MAINTENANCE_DELAY", "0s");
                        env.put("CREDITS_MAINTENANCE_EVERY", "1s");
                        env.put("CREDITS_IDEMPOTENCY_CLEANUP_EVERY", "1s");
                        services.add(ServiceProcess.launch(dir.resolve(name + ".log"), env));
                    }
                    awaitBothWaitingForTheLock(barrier, services);
                    // The start-up is held for three of the jobs' periods: a job that ran now would
                    // find no tables. (A window for something that must not happen, not a wait for an event.)
                    Thread.sleep(3_000);
                    query(barrier, "select pg_advisory_unlock(" + FLYWAY_LOCK + ")");

                    int a = services.get(0).awaitReady();
                    int b = services.get(1).awaitReady();
                    assertEquals(201, send(a, "PUT", "/v1/accounts/race-user", null).statusCode());
                    for (int port : List.of(a, b)) {
                        HttpResponse<String> paid = send(port, "POST", "/v1/accounts/race-user/consume", "{\"feature\":\"code_generation\"}");
                        assertEquals(200, paid.statusCode(), paid.body());
                    }
                    HttpResponse<String> status = send(b, "GET", "/v1/accounts/race-user", null);
                    assertTrue(status.body().contains("\"availableTokens\":6000"), status.body());

                    // Once up, the jobs run: an idempotency record past its retention goes.
                    query(barrier, "insert into idempotency_record (account_id, idempotency_key, fingerprint, created_at, expires_at) "
                            + "values ('race-user', 'expired', 'f', now() - interval '2 days', now() - interval '1 day') returning 1");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!rows(barrier, "select 1 from idempotency_record where idempotency_key = 'expired'").isEmpty()) {
                        assertTrue(System.nanoTime() < deadline, "the idempotency cleanup ran within 30 s of the start");
                        Thread.sleep(50);
                    }
                    for (ServiceProcess service : services) {
                        assertEquals(List.of(), service.errorLines(), "no job ran before the schema was there");
                    }
                } finally {
                    for (ServiceProcess service : services) {
                        service.close();
                    }
                }

                List<String> history = rows(barrier, "select script || ' ' || success from flyway_schema_history order by installed_rank");
                List<String> files;
                try (Stream<Path> listed = Files.list(MIGRATIONS)) {
                    files = listed.map(p -> "db/migration/" + p.getFileName() + " true").sorted().collect(Collectors.toList());
                }
                assertEquals(files, history.stream().sorted().collect(Collectors.toList()),
                        "every migration file applied exactly once, successfully: " + history);
                assertEquals(List.of(), rows(barrier, "select version from flyway_schema_history where version is not null "
                        + "group by version having count(*) > 1"), "no version twice");
            }
        } finally {
            TestDatabase.deleteRecursively(dir);
        }
    }

    /** Both services are inside Flyway's migrate, each trying the lock this test holds. */
    private static void awaitBothWaitingForTheLock(Connection barrier, List<ServiceProcess> services) throws Exception {
        String waiting = "select count(distinct pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() "
                + "and query like 'SELECT pg_try_advisory%lock(" + FLYWAY_LOCK + ")'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Integer.parseInt(rows(barrier, waiting).get(0)) == 2) {
                return;
            }
            for (ServiceProcess service : services) {
                assertTrue(service.runsAfter(Duration.ofMillis(50)), () -> "a service stopped before the lock: " + service.log());
            }
        }
        throw new AssertionError("the two services were not both waiting for Flyway's lock " + FLYWAY_LOCK + " within 120 s "
                + "(has Flyway's PostgreSQL lock changed?); sessions: "
                + rows(barrier, "select pid || ' ' || state || ' ' || query from pg_stat_activity where datname = current_database()"));
    }

    private static HttpResponse<String> send(int port, String method, String path, String json) throws Exception {
        return ServiceProcess.send(port, method, path, json, ADMIN_KEY);
    }

    private static void query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
