package dev.creditledger.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.db.DatabaseStartup.Database;
import io.quarkus.runtime.ImageMode;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL on the JVM only (docs/design.md, rule O6); a configured server wherever it runs. */
class DatabaseStartupTest {

    @Test
    void withNothingConfiguredTheJvmStartsTheEmbeddedServerAndANativeExecutableIsRefused() {
        assertEquals(Database.EMBEDDED, DatabaseStartup.database(false, ImageMode.JVM));
        assertEquals(Database.REFUSED, DatabaseStartup.database(false, ImageMode.NATIVE_RUN));
    }

    @Test
    void aConfiguredServerIsUsedOnTheJvmAndInANativeExecutable() {
        assertEquals(Database.CONFIGURED, DatabaseStartup.database(true, ImageMode.JVM));
        assertEquals(Database.CONFIGURED, DatabaseStartup.database(true, ImageMode.NATIVE_RUN));
    }

    @Test
    void theRefusalSaysWhatToSet() {
        assertTrue(DatabaseStartup.EMBEDDED_REFUSED.contains("QUARKUS_DATASOURCE_REACTIVE_URL"), DatabaseStartup.EMBEDDED_REFUSED);
        assertTrue(DatabaseStartup.EMBEDDED_REFUSED.contains("native"), DatabaseStartup.EMBEDDED_REFUSED);
    }
}
