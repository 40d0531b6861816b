package dev.creditledger.domain;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A bucket of tokens. {@code amount - consumed - expired = remaining} always holds; an expired
 * grant never pays. Grants are drawn by priority, then soonest expiry (none last), then age.
 */
@Entity
@Table(name = "credit_grant")
@IdClass(CreditGrant.Key.class)
public class CreditGrant {

    @Id
    public String accountId;
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "grant_ids")
    @SequenceGenerator(name = "grant_ids", sequenceName = "credit_grant_grant_id_seq", allocationSize = 1)
    public Long grantId;
    @Enumerated(EnumType.STRING)
    public GrantSource source;
    public long amount;
    public long consumed;
    public long expired;
    public long remaining;
    public int priority;
    public Instant effectiveAt;
    public Instant expiresAt;
    public String reason;
    public Instant createdAt;

    public boolean expiresBy(Instant instant) {
        return expiresAt != null && !expiresAt.isAfter(instant);
    }

    /** Composite key: every per-account table leads its key with the account id. */
    public static class Key implements Serializable {
        public String accountId;
        public Long grantId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(accountId, k.accountId) && Objects.equals(grantId, k.grantId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(accountId, grantId);
        }
    }
}
