package dev.creditledger.ledger;

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
 * the call is its own transaction; inside a caller's transaction it joins it.
 */
@ApplicationScoped
public class Debit {

    private static final String DEBIT = "select entry_id, balance, held, total_tokens_used, monthly_tokens_used "
            + "from debit_account($1, $2, $3, $4, $5, $6, $7)";

    /** Result of a successful debit: the account's counters after it. */
    public record Debited(long entryId, long balance, long held, long totalTokensUsed, long monthlyTokensUsed) {
        public long available() {
            return balance - held;
        }
    }

    /**
     * Debits {@code cost} tokens; emits null when the guard refused (insufficient, unknown
     * account, or maintenance due) and nothing was changed.
     */
    public Uni<Debited> debit(SqlClient client, String userId, long cost, Long reportedTokens, String feature,
                              String idempotencyKey, String actor, Instant now) {
        Tuple args = Tuple.tuple().addValue(userId).addValue(cost).addValue(BookStore.utc(now)).addValue(feature)
                .addValue(reportedTokens).addValue(idempotencyKey).addValue(actor);
        return client.preparedQuery(DEBIT).execute(args).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new Debited(row.getLong("entry_id"), row.getLong("balance"), row.getLong("held"),
                    row.getLong("total_tokens_used"), row.getLong("monthly_tokens_used"));
        });
    }
}
