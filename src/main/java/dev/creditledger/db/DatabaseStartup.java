package dev.creditledger.db;

import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.security.AdminKeyBootstrap;
import dev.creditledger.sql.DatabaseOutage;
import dev.creditledger.time.Instants;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
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
 */
@ApplicationScoped
public class DatabaseStartup {

    private static final Logger LOG = Logger.getLogger(DatabaseStartup.class);

    /** The raw value of the reactive URL in application.properties: seeing it means nobody configured a database. */
    static final String EMBEDDED_URL = "postgresql://127.0.0.1:${credits.database.embedded-port}/postgres";

    private final Instance<Flyway> flyway;
    private final Instance<AgroalDataSource> dataSource;
    private final CreditsConfig config;
    private final Clock clock;
    private final Path dataDirectory;
    private final int embeddedPort;
    private final boolean cleanAtStart;
    private EmbeddedPostgresServer embedded;

    public DatabaseStartup(Instance<Flyway> flyway, Instance<AgroalDataSource> dataSource, CreditsConfig config, Clock clock) {
        this.flyway = flyway;
        this.dataSource = dataSource;
        this.config = config;
        this.clock = clock;
        this.dataDirectory = config.database().dataDir();
        this.embeddedPort = config.database().embeddedPort();
        this.cleanAtStart = config.database().cleanAtStart();
    }

    void start(@Observes @Priority(1) StartupEvent event) {
        if (usesEmbedded()) {
            embedded = EmbeddedPostgresServer.start(dataDirectory, embeddedPort);
        } else {
            LOG.info("Using the configured PostgreSQL (quarkus.datasource.reactive.url); no embedded server started");
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
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    void stop(@Observes ShutdownEvent event) {
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
    }

    static boolean usesEmbedded() {
        String raw = ConfigProvider.getConfig().getConfigValue("quarkus.datasource.reactive.url").getRawValue();
        return EMBEDDED_URL.equals(raw);
    }
}
