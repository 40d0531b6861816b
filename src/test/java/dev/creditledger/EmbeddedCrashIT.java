package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.Ledger;
import dev.creditledger.support.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The embedded default through crashes (docs/design.md, invariant I7 and rule O5), as the OOM killer
 * or a container kill does them, under keyed load each time:
 * <ol>
 * <li>SIGKILL of the service alone: its PostgreSQL lives on; the next start stops it cleanly and
 * runs its own;
 * <li>SIGKILL of the service and its PostgreSQL together: the next start is not blocked by what
 * they left.
 * </ol>
 * After each restart every debit answered 200 is in the ledger exactly once, nothing else is, and
 * the invariants hold.
 */
class EmbeddedCrashIT {

    private static final String KEY = "embedded-crash-it-admin-key-0123456789abcdef";
    private static final String CONSUME = "{\"feature\":\"code_generation\"}";
    private static final int LOADERS = 4;

    private final Map<String, Integer> answered = new ConcurrentHashMap<>(); // idempotency key -> 200
    private final Set<String> sent = ConcurrentHashMap.newKeySet();

    @Test
    void everyAnsweredDebitSurvivesAKillOfTheServiceAloneAndOfBothTogether() throws Exception {
        Path dataDir = Files.createTempDirectory("credit-ledger-crash-it");
        int dbPort = ServiceProcess.freePort();

        ServiceProcess first = start(dataDir, dbPort, "first");
        assertEquals(201, first.send("PUT", "/v1/accounts/crash", "{\"tier\":\"enterprise\",\"subscriptionDays\":30}", KEY).statusCode());
        loadThenKill(first, "a", () -> { });
        long orphan = postmasterPid(dataDir);
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "a killed service leaves its PostgreSQL running");

        ServiceProcess second = start(dataDir, dbPort, "second");
        assertTrue(second.log().contains("The PostgreSQL of a previous run (PID " + orphan + ") still serves"), second.log());
        assertTrue(ProcessHandle.of(orphan).isEmpty() || !ProcessHandle.of(orphan).get().isAlive(), "the orphan was stopped");
        long own = postmasterPid(dataDir);
        assertNotEquals(orphan, own, "the restart runs its own PostgreSQL");
        checkLedger(dbPort);

        ProcessHandle ownPostmaster = ProcessHandle.of(own).orElseThrow();
        loadThenKill(second, "b", ownPostmaster::destroyForcibly);
        ownPostmaster.onExit().get(30, TimeUnit.SECONDS);
        assertTrue(Files.exists(dataDir.resolve("postmaster.pid")), "the killed PostgreSQL left its pid file");

        try (ServiceProcess third = start(dataDir, dbPort, "third")) {
            assertFalse(third.log().contains("still serves"), "nothing of the killed PostgreSQL ran on: " + third.log());
            checkLedger(dbPort);
            HttpResponse<String> replay = third.send("POST", "/v1/accounts/crash/consume", CONSUME, KEY,
                    "Idempotency-Key", answered.keySet().iterator().next());
            assertEquals(200, replay.statusCode(), replay.body());
            assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(null), "an answered debit is replayed, not made again");
        }
    }

    private ServiceProcess start(Path dataDir, int dbPort, String name) throws Exception {
        return ServiceProcess.start(Map.of(
                "CREDITS_BOOTSTRAP_ADMIN_KEY", KEY,
                "CREDITS_DATABASE_EMBEDDED_PORT", Integer.toString(dbPort),
                "CREDITS_DATABASE_DATA_DIR", dataDir.toString()),
                dataDir.resolveSibling(dataDir.getFileName() + "." + name + ".log"));
    }

    /** Keyed consumes from several clients; once some are answered, SIGKILL the service (and whatever {@code alsoKill} kills) at once. */
    private void loadThenKill(ServiceProcess service, String round, Runnable alsoKill) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        int before = answered.size();
        ExecutorService clients = Executors.newFixedThreadPool(LOADERS);
        for (int t = 0; t < LOADERS; t++) {
            String prefix = round + t + "-";
            clients.submit(() -> {
                for (int n = 0; running.get(); n++) {
                    String idempotencyKey = prefix + n;
                    sent.add(idempotencyKey);
                    try {
                        HttpResponse<String> response = service.send("POST", "/v1/accounts/crash/consume", CONSUME, KEY,
                                "Idempotency-Key", idempotencyKey);
                        if (response.statusCode() == 200) {
                            answered.put(idempotencyKey, 200);
                        }
                    } catch (Exception e) {
                        return; // the service is gone
                    }
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answered.size() < before + 100) {
            assertTrue(System.nanoTime() < deadline, "the load did not get going");
            Thread.sleep(5);
        }
        alsoKill.run();
        service.kill();
        running.set(false);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
    }

    /** Every answered debit is in the ledger once; no other key is; the invariants hold. */
    private void checkLedger(int dbPort) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres");
        ds.setUser("postgres");
        Ledger ledger = Ledger.ofPackagedService(ds);
        Map<String, Long> entries = ledger.consumesByKey();
        for (String idempotencyKey : answered.keySet()) {
            assertEquals(1L, entries.getOrDefault(idempotencyKey, 0L), idempotencyKey + " was answered 200");
        }
        for (Map.Entry<String, Long> entry : entries.entrySet()) {
            assertTrue(sent.contains(entry.getKey()) && entry.getValue() == 1, entry + ": only keys sent, each once");
        }
        ledger.assertInvariants();
    }

    private static long postmasterPid(Path dataDir) throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }
}
