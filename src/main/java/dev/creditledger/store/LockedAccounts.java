package dev.creditledger.store;

import static dev.creditledger.store.Rows.instant;
import static dev.creditledger.store.Rows.utc;

import dev.creditledger.domain.Account;
import dev.creditledger.domain.CreditGrant;
import dev.creditledger.domain.GrantSource;
import dev.creditledger.domain.LockedAccount;
import dev.creditledger.domain.Reservation;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Locks an account row and loads it with its open grants and holds as a {@link LockedAccount}, and
 * writes its changes back, on the connection of the caller's transaction. The account row lock
 * serializes every writer of the account's grants and holds.
 */
@ApplicationScoped
public class LockedAccounts {

    static final String ACCOUNT_COLUMNS = "account_id, tier, subscription_ends_at, period_anchor, period_start, period_end, "
            + "balance, held, open_reservations, total_tokens_used, monthly_tokens_used, next_maintenance_at, created_at, updated_at";

    /** Locks the account row and reads it with its open grants and holds; null when there is no such account. */
    public Uni<LockedAccount> lock(SqlConnection conn, String userId, String actor) {
        return lockAccount(conn, userId).flatMap(account -> account == null ? Uni.createFrom().nullItem() : locked(conn, account, actor));
    }

    private Uni<Account> lockAccount(SqlConnection conn, String userId) {
        return conn.preparedQuery("select " + ACCOUNT_COLUMNS + " from account where account_id = $1 for update")
                .execute(Tuple.of(userId))
                .map(rows -> rows.size() == 0 ? null : account(rows.iterator().next()));
    }

    private Uni<LockedAccount> locked(SqlConnection conn, Account account, String actor) {
        Uni<List<Reservation>> holds = account.openReservations == 0
                ? Uni.createFrom().item(List.of())
                : ReservationRows.open(conn, account.accountId);
        return openGrants(conn, account.accountId).flatMap(grants -> holds.map(open -> new LockedAccount(account, grants, open, actor)));
    }

    /** Inserts a new account row; null when the account already exists (nothing is changed then). */
    public Uni<Account> insert(SqlConnection conn, Account account) {
        return conn.preparedQuery("insert into account (" + ACCOUNT_COLUMNS + ") values "
                        + "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict (account_id) do nothing")
                .execute(accountTuple(account))
                .map(rows -> rows.rowCount() == 1 ? account : null);
    }

    private Uni<List<CreditGrant>> openGrants(SqlConnection conn, String userId) {
        return conn.preparedQuery("select grant_id, source, amount, consumed, expired, remaining, priority, effective_at, "
                        + "expires_at, reason, created_at from credit_grant where account_id = $1 and remaining > 0 order by grant_id")
                .execute(Tuple.of(userId))
                .map(rows -> {
                    List<CreditGrant> grants = new ArrayList<>();
                    for (Row row : rows) {
                        grants.add(grant(userId, row));
                    }
                    return grants;
                });
    }

    /** Writes every change the locked account holds: account, changed and new grants, changed holds, ledger entries. */
    public Uni<Void> write(SqlConnection conn, LockedAccount locked) {
        Account a = locked.account();
        Uni<Void> account = conn.preparedQuery("update account set tier = $2, subscription_ends_at = $3, period_anchor = $4, "
                        + "period_start = $5, period_end = $6, balance = $7, held = $8, open_reservations = $9, total_tokens_used = $10, "
                        + "monthly_tokens_used = $11, next_maintenance_at = $12, created_at = $13, updated_at = $14 where account_id = $1")
                .execute(accountTuple(a)).replaceWithVoid();
        return account
                .chain(() -> updateGrants(conn, locked))
                .chain(() -> ReservationRows.update(conn, locked.changedHolds()))
                .chain(() -> insertGrants(conn, locked.newGrants()))
                .chain(() -> insertEntries(conn, locked));
    }

    private Uni<Void> updateGrants(SqlConnection conn, LockedAccount locked) {
        if (locked.changedGrants().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = locked.changedGrants().stream()
                .map(g -> Tuple.of(g.accountId, g.grantId, g.consumed, g.expired, g.remaining)).toList();
        return conn.preparedQuery("update credit_grant set consumed = $3, expired = $4, remaining = $5 "
                + "where account_id = $1 and grant_id = $2").executeBatch(batch).replaceWithVoid();
    }

    private Uni<Void> insertGrants(SqlConnection conn, List<CreditGrant> grants) {
        return Multi.createFrom().iterable(grants)
                .onItem().transformToUniAndConcatenate(g -> conn.preparedQuery("insert into credit_grant (account_id, source, amount, "
                                + "consumed, expired, remaining, priority, effective_at, expires_at, reason, created_at) "
                                + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning grant_id")
                        .execute(Tuple.from(List.of(g.accountId, g.source.name(), g.amount, g.consumed, g.expired, g.remaining,
                                g.priority, utc(g.effectiveAt))).addValue(utc(g.expiresAt)).addValue(g.reason).addValue(utc(g.createdAt)))
                        .invoke(rows -> g.grantId = rows.iterator().next().getLong(0)))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> insertEntries(SqlConnection conn, LockedAccount locked) {
        if (locked.entries().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>();
        for (LockedAccount.PendingEntry e : locked.entries()) {
            JsonArray grants = new JsonArray();
            if (e.grant() != null) {
                grants.add(new JsonObject().put("grantId", e.grant().grantId).put("amount", Math.abs(e.amount())));
            }
            Reservation hold = e.hold();
            batch.add(Tuple.tuple().addValue(locked.account().accountId).addValue(e.kind().name()).addValue(e.amount())
                    .addValue(e.balanceAfter()).addValue(grants).addValue(e.idempotencyKey()).addValue(locked.actor())
                    .addValue(e.reason()).addValue(utc(e.at())).addValue(hold == null ? null : hold.reservationId)
                    .addValue(e.heldChange()).addValue(hold == null ? null : hold.feature));
        }
        return conn.preparedQuery("insert into ledger_entry (account_id, kind, amount, balance_after, grants, idempotency_key, "
                        + "actor, reason, created_at, reservation_id, held_change, feature) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                .executeBatch(batch).replaceWithVoid();
    }

    static Account account(Row row) {
        Account a = new Account();
        a.accountId = row.getString("account_id");
        a.tier = row.getString("tier");
        a.subscriptionEndsAt = instant(row, "subscription_ends_at");
        a.periodAnchor = instant(row, "period_anchor");
        a.periodStart = instant(row, "period_start");
        a.periodEnd = instant(row, "period_end");
        a.balance = row.getLong("balance");
        a.held = row.getLong("held");
        a.openReservations = row.getInteger("open_reservations");
        a.totalTokensUsed = row.getLong("total_tokens_used");
        a.monthlyTokensUsed = row.getLong("monthly_tokens_used");
        a.nextMaintenanceAt = instant(row, "next_maintenance_at");
        a.createdAt = instant(row, "created_at");
        a.updatedAt = instant(row, "updated_at");
        return a;
    }

    private static CreditGrant grant(String userId, Row row) {
        CreditGrant g = new CreditGrant();
        g.accountId = userId;
        g.grantId = row.getLong("grant_id");
        g.source = GrantSource.valueOf(row.getString("source"));
        g.amount = row.getLong("amount");
        g.consumed = row.getLong("consumed");
        g.expired = row.getLong("expired");
        g.remaining = row.getLong("remaining");
        g.priority = row.getInteger("priority");
        g.effectiveAt = instant(row, "effective_at");
        g.expiresAt = instant(row, "expires_at");
        g.reason = row.getString("reason");
        g.createdAt = instant(row, "created_at");
        return g;
    }

    private static Tuple accountTuple(Account a) {
        return Tuple.tuple().addValue(a.accountId).addValue(a.tier).addValue(utc(a.subscriptionEndsAt)).addValue(utc(a.periodAnchor))
                .addValue(utc(a.periodStart)).addValue(utc(a.periodEnd)).addValue(a.balance).addValue(a.held).addValue(a.openReservations)
                .addValue(a.totalTokensUsed).addValue(a.monthlyTokensUsed).addValue(utc(a.nextMaintenanceAt))
                .addValue(utc(a.createdAt)).addValue(utc(a.updatedAt));
    }
}
