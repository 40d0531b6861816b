package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.problem.ErrorCode;
import dev.creditledger.support.Ledger;
import dev.creditledger.support.ScratchDatabase;
import dev.creditledger.support.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the packaged service under concurrent keyed load (docs/design.md, rule O4). Six
 * consumes are held in flight by a row lock the test keeps, and a maintenance run by a lock on the
 * reservation it is expiring; at SIGTERM readiness goes down while requests are still served for
 * the delay, then new requests are refused 503 `unavailable`, the held ones finish 200 once the
 * lock is let go, the service waits for the maintenance run, which commits once its lock is let go,
 * and the process exits by itself. Then every key answered 200 is in the ledger exactly once, every
 * key refused is not (a request the closing server dropped unanswered is charged at most once,
 * which its retry with the same key settles), the reservation is expired, and the invariants hold.
 */
class GracefulShutdownIT {

    private static final String KEY = "shutdown-it-admin-key-0123456789abcdef0123";
    private static final int HELD = 6;
    private static final int LOADERS = 4;
    private static final String CONSUME = "{\"feature\":\"code_generation\"}";

    @Test
    void sigtermUnderLoadFinishesWhatIsInFlightRefusesWhatIsNewAndLosesNothing() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.start()) {
            Map<String, String> env = new HashMap<>(db.serviceEnvironment());
            env.put("CREDITS_BOOTSTRAP_ADMIN_KEY", KEY);
            env.put("QUARKUS_SHUTDOWN_DELAY", "2s");
            env.put("CREDITS_MAINTENANCE_EVERY", "1s"); // the jobs are running when the signal comes
            env.put("CREDITS_MAINTENANCE_DELAY", "0s");
            env.put("CREDITS_MAINTENANCE_STOP_TIMEOUT", "60s"); // the test lets the held run go: a slow machine must not run out first
            ServiceProcess service = ServiceProcess.start(env, Files.createTempFile("credit-ledger-shutdown", ".log"));
            try {
                for (String account : List.of("held", "expiring", "expiring-later", "load-0", "load-1", "load-2", "load-3")) {
                    assertEquals(201, service.send("PUT", "/v1/accounts/" + account, "{\"tier\":\"enterprise\",\"subscriptionDays\":30}", KEY)
                            .statusCode());
                }
                ExecutorService clients = Executors.newFixedThreadPool(HELD + LOADERS);
                Map<String, String> answers = new ConcurrentHashMap<>(); // idempotency key -> status, or "refused"
                try (Connection jobLock = db.dataSource().getConnection(); Connection lock = db.dataSource().getConnection()) {
                    // A hold that expires in 4 s, whose row the test locks: the maintenance run that
                    // expires it waits on the lock, inside its transaction, until the test lets go.
                    // Another expires just after it, due in the same run.
                    for (String account : List.of("expiring", "expiring-later")) {
                        assertEquals(201, service.send("POST", "/v1/accounts/" + account + "/reservations",
                                "{\"feature\":\"code_generation\",\"ttlSeconds\":4}", KEY, "Idempotency-Key", account).statusCode());
                    }
                    jobLock.setAutoCommit(false);
                    try (Statement s = jobLock.createStatement()) {
                        s.execute("select 1 from reservation where account_id = 'expiring' for update");
                    }
                    await("the maintenance run waits on the reservation's lock", () -> waitingOnLocks(db) == 1);
                    lock.setAutoCommit(false);
                    try (Statement s = lock.createStatement()) {
                        s.execute("select 1 from account where account_id = 'held' for update");
                    }
                    List<Future<HttpResponse<String>>> held = new ArrayList<>();
                    for (int i = 0; i < HELD; i++) {
                        String idempotencyKey = "held-" + i;
                        held.add(clients.submit(() -> service.send("POST", "/v1/accounts/held/consume", CONSUME, KEY,
                                "Idempotency-Key", idempotencyKey)));
                    }
                    await("the held consumes wait on the row lock", () -> waitingOnLocks(db) == HELD + 1);
                    for (int t = 0; t < LOADERS; t++) {
                        int loader = t;
                        clients.submit(() -> load(service, "load-" + loader, answers));
                    }
                    await("the load is under way", () -> answers.size() >= 40);

                    service.process().destroy(); // SIGTERM
                    await("readiness goes down", () -> status(service, "/q/health/ready") == 503);
                    long servedAtSignal = served(answers);
                    await("requests are still served during the delay", () -> served(answers) > servedAtSignal + 5);
                    await("then new requests are refused 503", () -> answers.containsValue("503"));
                    assertTrue(service.process().isAlive(), "the requests in flight keep the service up");
                    lock.commit();
                    for (Future<HttpResponse<String>> answer : held) {
                        HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                        assertEquals(200, response.statusCode(), "an in-flight request finishes: " + response.body());
                    }
                    await("the service waits for the maintenance run in progress",
                            () -> service.log().contains("for the maintenance run in progress to finish"));
                    assertTrue(service.process().isAlive(), "the maintenance run in progress keeps the service up");
                    jobLock.commit();
                }
                service.awaitExit(Duration.ofSeconds(30)); // the service exits once its requests and its job are done
                clients.shutdown();
                assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
                String log = service.log();
                assertEquals(List.of(), service.errorLines(), "the jobs and the pool stop without an error");
                assertTrue(log.contains("stopped in"), log);

                // Each key answered 200 is charged once; each refused one not at all.
                List<String> unexpected = answers.values().stream().filter(a -> !Set.of("200", "503", "no answer").contains(a)).toList();
                assertEquals(List.of(), unexpected, "every answer is 200, or 503 unavailable with Retry-After");
                Ledger ledger = Ledger.ofPackagedService(db.dataSource());
                Map<String, Long> charged = ledger.consumesByKey();
                answers.forEach((idempotencyKey, status) -> {
                    long entries = charged.getOrDefault(idempotencyKey, 0L);
                    if (status.equals("no answer")) {
                        assertTrue(entries <= 1, idempotencyKey + " unanswered, charged " + entries + " times");
                    } else {
                        assertEquals(status.equals("200") ? 1 : 0, entries, idempotencyKey + " answered " + status);
                    }
                });
                for (int i = 0; i < HELD; i++) {
                    assertEquals(1, charged.getOrDefault("held-" + i, 0L), "held-" + i);
                }
                long unanswered = answers.values().stream().filter("no answer"::equals).count();
                long made = charged.values().stream().mapToLong(Long::longValue).sum();
                long answered200 = HELD + answers.values().stream().filter("200"::equals).count();
                assertTrue(made >= answered200 && made <= answered200 + unanswered, "entries " + made + " for " + answered200
                        + " answered 200 and " + unanswered + " unanswered: no other key was charged");
                assertTrue(answers.values().stream().filter("200"::equals).count() > 40, answers.toString());
                assertEquals("expired", reservationStatus(db, "expiring"), "the maintenance run in progress at the stop committed");
                assertEquals("open", reservationStatus(db, "expiring-later"),
                        "the run ended after the account it held: the next one stays due (the lazy path applies it)");
                ledger.assertInvariants();
            } finally {
                service.close();
            }
        }
    }

    /** Keyed consumes one after another until the service stops listening; records each key's answer. */
    private static long served(Map<String, String> answers) {
        return answers.values().stream().filter("200"::equals).count();
    }

    private static Void load(ServiceProcess service, String account, Map<String, String> answers) {
        for (int n = 0; ; n++) {
            String idempotencyKey = account + "-" + n;
            try {
                HttpResponse<String> response = service.send("POST", "/v1/accounts/" + account + "/consume", CONSUME, KEY,
                        "Idempotency-Key", idempotencyKey);
                boolean refusedAsDocumented = response.statusCode() == 503
                        && response.headers().firstValue("Retry-After").equals(Optional.of("1"))
                        && response.headers().firstValue("X-Request-Id").isPresent()
                        && response.body().contains("\"type\":\"" + ErrorCode.UNAVAILABLE.type() + "\"");
                answers.put(idempotencyKey, response.statusCode() == 200 || refusedAsDocumented ? Integer.toString(response.statusCode())
                        : "unexpected " + response.statusCode() + " " + response.headers().map() + " " + response.body());
            } catch (java.net.ConnectException e) {
                return null; // the listener is closed: the service has stopped
            } catch (java.io.IOException e) {
                // A connection the closing server accepted and closed unanswered: the client cannot
                // know, and would retry with the same key elsewhere.
                answers.put(idempotencyKey, "no answer");
            } catch (Exception e) {
                answers.put(idempotencyKey, "failed " + e);
                return null;
            }
        }
    }

    private static String reservationStatus(ScratchDatabase db, String account) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                var query = c.prepareStatement("select status from reservation where account_id = ?")) {
            query.setString(1, account);
            try (ResultSet rs = query.executeQuery()) {
                assertTrue(rs.next(), account);
                return rs.getString("status");
            }
        }
    }

    private static long waitingOnLocks(ScratchDatabase db) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int status(ServiceProcess service, String path) {
        try {
            return service.send("GET", path, null, null).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Polls a condition the service brings about (no fixed sleep): up to 30 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 30 s");
            }
            Thread.sleep(20);
        }
    }
}
