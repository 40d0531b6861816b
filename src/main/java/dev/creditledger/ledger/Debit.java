package dev.creditledger.ledger;

import dev.creditledger.account.Account;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The debit: one call of {@code debit_account} (migration V2), which runs the guarded UPDATE
 * ({@code balance - held >= cost and next_maintenance_at > now}), draws the grants down in order
 * and appends the ledger entry, in one round trip. Never read-then-write. On its own (autocommit)
 * the call is its own transaction; inside a caller's transaction it joins it. A refusal comes back
 * in the same round trip with the account's state, enough to answer 429 or see maintenance due.
 */
@ApplicationScoped
public class Debit {

    private static final String DEBIT = "select entry_id, balance, held, total_tokens_used, monthly_tokens_used, "
            + "next_maintenance_at, period_end, tier, subscription_ends_at from debit_account($1, $2, $3, $4, $5, $6, $7)";

    /** Result of a successful debit: the account's counters after it. */
    public record Debited(long entryId, long balance, long held, long totalTokensUsed, long monthlyTokensUsed) {
        public long available() {
            return balance - held;
        }
    }

    /**
     * What one attempt found: {@code paid} when the debit went through; otherwise {@code refused}
     * holds the unchanged account (balance, held, tier, period and maintenance instants); both
     * null when there is no such account.
     */
    public record Attempt(Debited paid, Account refused) {
    }

    public Uni<Attempt> debit(SqlClient client, String userId, long cost, Long reportedTokens, String feature,
                              String idempotencyKey, String actor, Instant now) {
        Tuple args = Tuple.tuple().addValue(userId).addValue(cost).addValue(BookStore.utc(now)).addValue(feature)
                .addValue(reportedTokens).addValue(idempotencyKey).addValue(actor);
        return client.preparedQuery(DEBIT).execute(args).map(rows -> {
            if (rows.size() == 0) {
                return new Attempt(null, null);
            }
            Row row = rows.iterator().next();
            if (row.getLong("entry_id") != null) {
                return new Attempt(new Debited(row.getLong("entry_id"), row.getLong("balance"), row.getLong("held"),
                        row.getLong("total_tokens_used"), row.getLong("monthly_tokens_used")), null);
            }
            Account account = BookStore.refusedAccount(row, userId);
            account.totalTokensUsed = row.getLong("total_tokens_used");
            account.monthlyTokensUsed = row.getLong("monthly_tokens_used");
            return new Attempt(null, account);
        });
    }
}
