package dev.creditledger.time;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** PostgreSQL keeps microseconds; every instant the service stores is cut to that precision first. */
public final class Instants {

    private Instants() {
    }

    public static Instant now(Clock clock) {
        return micros(clock.instant());
    }

    public static Instant micros(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }
}
