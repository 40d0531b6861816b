package dev.creditledger.domain;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * An amount of an account's balance set aside for an in-flight call: {@code held} tokens count
 * against what the account may spend until the reservation is settled, released or expires.
 * {@code held} starts at {@code requested} and only shrinks: when an expiry leaves the account with
 * less balance than it holds, and to 0 once the reservation is resolved.
 */
@Entity
@Table(name = "reservation")
@IdClass(Reservation.Key.class)
public class Reservation {

    @Id
    public String accountId;
    /** Given by the database when {@code hold_credits} inserts the row; never by the service. */
    @Id
    public long reservationId;
    @Enumerated(EnumType.STRING)
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

    /** Composite key: every per-account table leads its key with the account id. */
    public static class Key implements Serializable {
        public String accountId;
        public long reservationId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(accountId, k.accountId) && reservationId == k.reservationId;
        }

        @Override
        public int hashCode() {
            return Objects.hash(accountId, reservationId);
        }
    }
}
