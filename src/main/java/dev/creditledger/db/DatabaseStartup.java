package dev.creditledger.db;

import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.security.AdminKeyBootstrap;
import dev.creditledger.sql.DatabaseOutage;
import dev.creditledger.time.Instants;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Before anything touches the database: start the embedded PostgreSQL when no database was
 * configured, bring the schema to the latest version, and make sure an admin key exists. With
 * {@code QUARKUS_DATASOURCE_REACTIVE_URL} set, the service uses that server and starts nothing.
 * Replicas starting together on one empty database migrate it once: Flyway holds its PostgreSQL
 * advisory lock around each migration (docs/design.md, rule S5).
 */
@ApplicationScoped
public class DatabaseStartup {

    private static final Logger LOG = Logger.getLogger(DatabaseStartup.class);

    /** The raw value of the reactive URL in application.properties: seeing it means nobody configured a database. */
    static final String EMBEDDED_URL = "postgresql://127.0.0.1:${credits.database.embedded-port}/postgres";

    static final String EMBEDDED_REFUSED = "No database configured, and the embedded PostgreSQL runs on the JVM only, not in a native "
            + "executable; set QUARKUS_DATASOURCE_REACTIVE_URL (with QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD) "
            + "to your PostgreSQL. The service stops.";

    /** Which database the service runs on. */
    enum Database {
        /** The server named by quarkus.datasource.reactive.url. */
        CONFIGURED,
        /** The embedded PostgreSQL over credits.database.data-dir. */
        EMBEDDED,
        /** None: no server configured in a native executable. */
        REFUSED
    }

    private final Instance<Flyway> flyway;
    private final Instance<AgroalDataSource> dataSource;
    private final CreditsConfig config;
    private final Clock clock;
    private final Event<SchemaReady> schemaReady;
    private final Path dataDirectory;
    private final int embeddedPort;
    private final boolean cleanAtStart;
    private EmbeddedPostgresServer embedded;

    public DatabaseStartup(Instance<Flyway> flyway, Instance<AgroalDataSource> dataSource, CreditsConfig config, Clock clock,
                           Event<SchemaReady> schemaReady) {
        this.schemaReady = schemaReady;
        this.flyway = flyway;
        this.dataSource = dataSource;
        this.config = config;
        this.clock = clock;
        this.dataDirectory = config.database().dataDir();
        this.embeddedPort = config.database().embeddedPort();
        this.cleanAtStart = config.database().cleanAtStart();
    }

    void start(@Observes @Priority(1) StartupEvent event) {
        switch (database(!usesEmbedded(), ImageMode.current())) {
            case REFUSED -> {
                LOG.error(EMBEDDED_REFUSED);
                Quarkus.asyncExit(1);
                return;
            }
            case EMBEDDED -> embedded = EmbeddedPostgresServer.start(dataDirectory, embeddedPort);
            case CONFIGURED -> LOG.info("Using the configured PostgreSQL (quarkus.datasource.reactive.url); no embedded server started");
        }
        Flyway migrations = flyway.get();
        try {
            if (cleanAtStart) {
                LOG.warn("credits.database.clean-at-start=true: dropping every table before migrating");
                migrations.clean();
            }
            migrations.migrate();
        } catch (RuntimeException e) {
            if (!DatabaseOutage.causedBy(e)) {
                throw e;
            }
            // Not a bug to show a stack trace for: say once what could not be reached, and stop.
            LOG.errorf("Cannot reach PostgreSQL at %s (%s); start it or set QUARKUS_DATASOURCE_REACTIVE_URL. The service stops.",
                    ConfigProvider.getConfig().getValue("quarkus.datasource.reactive.url", String.class)
                            .replaceFirst("//[^/@]*@", "//").replaceAll("(?i)(password=)[^&]*", "$1***"), rootMessage(e)); // no password
            Quarkus.asyncExit(1);
            return;
        }
        AdminKeyBootstrap.ensure(dataSource.get(), config, Instants.now(clock));
        schemaReady.fire(new SchemaReady());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /** At the default priority: after MaintenanceJobs has waited for its run in progress (rule O4). */
    void stop(@Observes ShutdownEvent event) {
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
    }

    /**
     * The embedded PostgreSQL is a JVM convenience: it unpacks the PostgreSQL binaries its jar carries
     * and runs them, which a native executable (built without those resources) cannot do. Production
     * names its own server; a native executable without one is refused.
     */
    static Database database(boolean configured, ImageMode mode) {
        if (configured) {
            return Database.CONFIGURED;
        }
        return mode == ImageMode.JVM ? Database.EMBEDDED : Database.REFUSED;
    }

    static boolean usesEmbedded() {
        String raw = ConfigProvider.getConfig().getConfigValue("quarkus.datasource.reactive.url").getRawValue();
        return EMBEDDED_URL.equals(raw);
    }
}
