package dev.creditledger.store;

import dev.creditledger.domain.EntryKind;
import jakarta.persistence.Column;
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
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Immutable;

/** One append-only record of a balance change; the database refuses updates and deletes. */
@Entity
@Immutable
@Table(name = "ledger_entry")
@IdClass(LedgerEntry.Key.class)
public class LedgerEntry {

    @Id
    public String accountId;
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "entry_ids")
    @SequenceGenerator(name = "entry_ids", sequenceName = "ledger_entry_entry_id_seq", allocationSize = 1)
    public Long entryId;
    @Enumerated(EnumType.STRING)
    public EntryKind kind;
    public long amount;
    public long balanceAfter;
    public String feature;
    public Long tokens;
    /** The grants this entry touched, as JSON {@code [{"grantId":1,"amount":2000}]}. */
    @Column(name = "grants")
    @ColumnTransformer(read = "cast(grants as text)", write = "cast(cast(? as text) as jsonb)")
    public String grantsJson;
    public String idempotencyKey;
    public String actor;
    public String reason;
    public Instant createdAt;
    /** The reservation of a hold, settle or release entry. */
    public Long reservationId;
    /** Signed change of the account's held amount (hold, settle, release). */
    public long heldChange;

    /** Composite key: every per-account table leads its key with the account id. */
    public static class Key implements Serializable {
        public String accountId;
        public Long entryId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(accountId, k.accountId) && Objects.equals(entryId, k.entryId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(accountId, entryId);
        }
    }
}
