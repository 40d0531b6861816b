package dev.creditledger.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One end user of the app. {@code balance} is a cache of the account's active grants (and of
 * its ledger sum); {@code nextMaintenanceAt} is the earliest instant at which a period reset,
 * subscription expiry, grant expiry or hold expiry falls due, so the debit can tell in its own WHERE clause
 * whether anything must be applied first.
 */
@Entity
@Table(name = "account")
public class Account {

    @Id
    @Column(name = "account_id")
    public String accountId;
    public String tier;
    public Instant subscriptionEndsAt;
    public Instant periodAnchor;
    public Instant periodStart;
    public Instant periodEnd;
    public long balance;
    public long held;
    public int openReservations;
    public long totalTokensUsed;
    public long monthlyTokensUsed;
    public Instant nextMaintenanceAt;
    public Instant createdAt;
    public Instant updatedAt;

    public long available() {
        return balance - held;
    }
}
