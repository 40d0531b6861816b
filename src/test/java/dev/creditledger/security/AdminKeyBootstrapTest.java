package dev.creditledger.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.Ledger;
import dev.creditledger.support.ScratchDatabase;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The first admin key exists only together with its file, and only once however many instances start together. */
class AdminKeyBootstrapTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aKeyFileThatCannotBeWrittenLeavesNoKeyAndSaysWhatToDo() throws Exception {
        try (ScratchDatabase db = migrated()) {
            Path notADirectory = Files.createTempFile("credit-ledger-not-a-dir", "");
            UncheckedIOException failure = assertThrows(UncheckedIOException.class, () ->
                    AdminKeyBootstrap.ensure(db.dataSource(), Optional.empty(), notADirectory.resolve("data"), NOW));
            assertTrue(failure.getMessage().contains("CREDITS_BOOTSTRAP_ADMIN_KEY"), failure.getMessage());
            Ledger ledger = ledger(db);
            assertEquals(0, ledger.count("select count(*) from api_key"), "no admin key nobody has");

            Path dataDir = Files.createTempDirectory("credit-ledger-bootstrap");
            AdminKeyBootstrap.ensure(db.dataSource(), Optional.empty(), dataDir, NOW);
            String key = Files.readString(dataDir.resolve(AdminKeyBootstrap.KEY_FILE)).trim();
            assertEquals(List.of(ApiKeys.hash(key)), ledger.strings("select key_hash from api_key"), "the key in the file, and only it");
        }
    }

    /** The four start behind a barrier; without the advisory lock they made three keys here. */
    @Test
    void instancesStartingTogetherOnAnEmptyDatabaseMakeOneFirstKey() throws Exception {
        try (ScratchDatabase db = migrated()) {
            int instances = 4;
            CyclicBarrier together = new CyclicBarrier(instances);
            ExecutorService pool = Executors.newFixedThreadPool(instances);
            List<Path> dataDirs = List.of(Files.createTempDirectory("a"), Files.createTempDirectory("b"),
                    Files.createTempDirectory("c"), Files.createTempDirectory("d"));
            List<Future<Object>> started = dataDirs.stream().map(dir -> pool.<Object>submit(() -> {
                together.await();
                AdminKeyBootstrap.ensure(db.dataSource(), Optional.empty(), dir, NOW);
                return null;
            })).toList();
            for (Future<Object> f : started) {
                f.get();
            }
            pool.shutdown();
            assertEquals(1, ledger(db).count("select count(*) from api_key"), "one first admin key");
            assertEquals(1, dataDirs.stream().filter(d -> Files.exists(d.resolve(AdminKeyBootstrap.KEY_FILE))).count(),
                    "written by the one instance that made it");
        }
    }

    private static ScratchDatabase migrated() throws Exception {
        ScratchDatabase db = ScratchDatabase.start();
        Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").load().migrate();
        return db;
    }

    private static Ledger ledger(ScratchDatabase db) {
        return Ledger.ofPackagedService(db.dataSource());
    }
}
