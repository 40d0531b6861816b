package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.ServiceProcess;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Run as a native image with no database configured, the service refuses the embedded PostgreSQL (a
 * JVM convenience, docs/design.md rule O6): it exits with status 1 and one ERROR line saying what to
 * set, no stack trace, and starts no server. Against the native executable when the build made one
 * ({@code ./mvnw verify -Dnative}); otherwise against the JVM jar told it runs in a native image, by
 * the system property a native image sets ({@code org.graalvm.nativeimage.imagecode=runtime}, which
 * Quarkus's {@code ImageMode} reads).
 */
class NativeWithoutDatabaseIT {

    @Test
    void aNativeImageWithoutADatabaseStopsWithOneClearLine() throws Exception {
        Path dir = Files.createTempDirectory("credit-ledger-native-no-db");
        Path dataDir = dir.resolve("data");
        try (ServiceProcess service = ServiceProcess.launch(nativeImage(), dir.resolve("service.log"), Map.of(
                "CREDITS_DATABASE_EMBEDDED_PORT", Integer.toString(ServiceProcess.freePort()),
                "CREDITS_DATABASE_DATA_DIR", dataDir.toString()))) {
            assertEquals(1, service.awaitExit(Duration.ofSeconds(60)), service.log());
            String log = service.log();
            List<String> errors = service.errorLines();
            assertEquals(1, errors.size(), log);
            assertTrue(errors.get(0).contains("the embedded PostgreSQL runs on the JVM only"), errors.get(0));
            assertTrue(errors.get(0).contains("set QUARKUS_DATASOURCE_REACTIVE_URL"), errors.get(0));
            assertFalse(log.contains("Caused by") || log.contains("\"exception\":") || log.lines().anyMatch(line -> line.startsWith("\tat ")),
                    "no stack trace: " + log);
            assertFalse(Files.exists(dataDir), "no embedded server was started");
        }
    }

    /** The native executable the build made, or the JVM jar run as if it were one. */
    private static List<String> nativeImage() throws IOException {
        Path artifact = Path.of("target/quarkus-artifact.properties");
        if (Files.exists(artifact)) {
            Properties built = new Properties();
            try (Reader in = Files.newBufferedReader(artifact)) {
                built.load(in);
            }
            if ("native".equals(built.getProperty("type"))) {
                return List.of(Path.of("target").resolve(built.getProperty("path")).toString());
            }
        }
        return ServiceProcess.jvm("-Dorg.graalvm.nativeimage.imagecode=runtime");
    }
}
