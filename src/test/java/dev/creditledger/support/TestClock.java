package dev.creditledger.support;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The clock of the test application: it stands still until a test sets or moves it, so tests
 * reach period ends and expiries without sleeping. It replaces the system clock bean. One clock
 * serves every test class; {@link LedgerTest} sets it to the class's {@link ClockStart} before
 * each test.
 */
@Singleton
public class TestClock extends Clock {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse(ClockStart.DEFAULT));

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the test clock is UTC");
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    public void set(Instant instant) {
        now.set(instant);
    }

    public void set(String isoInstant) {
        set(Instant.parse(isoInstant));
    }

    public void advance(Duration duration) {
        now.updateAndGet(current -> current.plus(duration));
    }
}
