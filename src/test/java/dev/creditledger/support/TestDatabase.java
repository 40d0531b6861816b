package dev.creditledger.support;

import dev.creditledger.db.EmbeddedPostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.Map;

/**
 * The suite's database: a throw-away embedded PostgreSQL by default (without fsync: the one place
 * that may trade durability for speed, docs/design.md invariant I7), or the server named by
 * {@code QUARKUS_DATASOURCE_REACTIVE_URL} (the suite then cleans and migrates it at start).
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgresServer server;

    @Override
    public Map<String, String> start() {
        if (System.getenv("QUARKUS_DATASOURCE_REACTIVE_URL") != null) {
            return Map.of();
        }
        try {
            server = EmbeddedPostgresServer.start(Files.createTempDirectory("credit-ledger-test-db"), 0, false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a data directory for the test database", e);
        }
        return Map.of("quarkus.datasource.reactive.url", server.reactiveUrl(),
                "quarkus.datasource.jdbc.url", server.jdbcUrl());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            deleteRecursively(server.dataDirectory());
        }
    }

    /** Deletes a throw-away directory and what it holds. */
    public static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
