package dev.creditledger.domain;

import java.time.Instant;

/**
 * An amount of an account's balance set aside for an in-flight call: {@code held} tokens count
 * against what the account may spend until the reservation is settled, released or expires.
 * {@code held} starts at {@code requested} and only shrinks: when an expiry leaves the account with
 * less balance than it holds, and to 0 once the reservation is resolved.
 */
public class Reservation {

    public String accountId;
    public long reservationId;
    public ReservationStatus status;
    public String feature;
    /** A metered feature's settle charges the tokens reported; a fixed one's charges {@code requested}. */
    public boolean metered;
    public long requested;
    public long held;
    /** Tokens the client reported when settling. */
    public Long tokens;
    /** Tokens the settle charged; null unless settled. */
    public Long charged;
    public String idempotencyKey;
    public String actor;
    public Instant createdAt;
    public Instant expiresAt;
    public Instant resolvedAt;

    /** What a settle asks to charge: the reported tokens (metered) or the fixed price held at first. */
    public Long cost() {
        return metered ? tokens : Long.valueOf(requested);
    }

    public boolean expiresBy(Instant instant) {
        return !expiresAt.isAfter(instant);
    }
}
