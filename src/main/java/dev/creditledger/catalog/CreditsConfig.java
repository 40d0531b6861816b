package dev.creditledger.catalog;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything about plans, prices and limits, under the {@code credits.} prefix. */
@ConfigMapping(prefix = "credits")
public interface CreditsConfig {

    /** Tokens that make one credit (seed: 2000). */
    @WithDefault("2000")
    long tokensPerCredit();

    /** The tier of a new account and of an account whose subscription ends (seed: free). */
    @WithDefault("free")
    String defaultTier();

    /** Largest token amount one request may name or move; larger values are refused with 400. */
    @WithDefault("1000000000000")
    long maxTokensPerRequest();

    /**
     * An admin API key given by configuration ({@code CREDITS_BOOTSTRAP_ADMIN_KEY}), at least 32
     * printable characters; it is added as an admin key at start unless it was revoked.
     */
    Optional<String> bootstrapAdminKey();

    /** A file holding the bootstrap admin key (a mounted secret), read when the key itself is not set. */
    Optional<java.nio.file.Path> bootstrapAdminKeyFile();

    /** Limits per API key. */
    RateLimit rateLimit();

    interface RateLimit {
        /**
         * Requests per second one key may make on one instance, unless the key has its own limit;
         * bursts up to one second's worth.
         */
        @WithDefault("5000")
        int requestsPerSecond();

        /** Requests per second one end user (one token subject) may make on one instance; bursts up to one second's worth. */
        @WithDefault("10")
        int endUserRequestsPerSecond();

        /**
         * API key lookups that find no active key, per second, one client address may cause on one instance
         * (bursts up to one second's worth); past it, unknown keys from that address get 429 without a lookup.
         */
        @WithDefault("20")
        int unknownKeysPerSecond();
    }

    /** Plans by tier name. */
    Map<String, Plan> plans();

    /** Billable features by name. */
    Map<String, Feature> features();

    /** Idempotency records. */
    Idempotency idempotency();

    /** Reservations (holds) for in-flight calls. */
    Reservations reservations();

    interface Reservations {
        /** How long a reservation holds its credits when the request names no {@code ttlSeconds}. */
        @WithDefault("PT5M")
        Duration defaultTtl();

        /** The longest {@code ttlSeconds} a request may ask for. */
        @WithDefault("PT1H")
        Duration maxTtl();

        /** Open reservations one account may have at once; one more is refused with 429 {@code too-many-reservations}. */
        @WithDefault("100")
        int maxOpenPerAccount();
    }

    /** The maintenance scheduler. */
    Maintenance maintenance();

    /** Where the data lives. */
    Database database();

    interface Plan {
        /** Credits granted at the start of every period (the allowance). May be a decimal. */
        BigDecimal credits();
    }

    interface Feature {
        /** {@code fixed}: every request costs {@link #credits()}; {@code metered}: it costs the tokens reported. */
        @WithDefault("fixed")
        Pricing pricing();

        /** Price of one request of a fixed feature, in credits (seed: 1). */
        Optional<BigDecimal> credits();
    }

    enum Pricing {
        fixed, metered
    }

    interface Idempotency {
        /** How long a key is remembered and its response replayed. */
        @WithDefault("P1D")
        Duration retention();

        /** How often expired records are deleted. */
        @WithDefault("10m")
        String cleanupEvery();
    }

    interface Maintenance {
        /** Idempotency records deleted per cleanup statement. (Accounts are maintained one per transaction.) */
        @WithDefault("50")
        int batchSize();

        /** How often due resets and expiries are applied ahead of the lazy path. */
        @WithDefault("60s")
        String every();

        /** Delay before the first run after start. */
        @WithDefault("10s")
        String delay();

        /**
         * How long a stopping service waits, after its requests, for a maintenance run in progress
         * to finish its account (docs/design.md, rule O4).
         */
        @WithDefault("5s")
        Duration stopTimeout();
    }

    interface Database {
        /** Data directory of the embedded PostgreSQL. */
        @WithDefault("data")
        java.nio.file.Path dataDir();

        /** Port of the embedded PostgreSQL on 127.0.0.1. */
        @WithDefault("15432")
        int embeddedPort();

        /** Drop every table before migrating (the test suite does; never in production). */
        @WithDefault("false")
        boolean cleanAtStart();
    }
}
