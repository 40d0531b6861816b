package dev.creditledger.ledger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The debit: one guarded UPDATE that takes the account row lock and moves the balance only when
 * enough is available and no maintenance is due, then one statement that draws the grants down in
 * order and appends the ledger entry. The second statement starts after the lock is held, so it
 * sees every earlier debit's drawdown. Every open grant is in the balance (the guard's
 * {@code next_maintenance_at > now} means none has expired), so the drawdown always covers the
 * cost; it checks that it did. Never read-then-write.
 */
@ApplicationScoped
public class Debit {

    private static final String GUARDED_UPDATE = """
            update account
               set balance = balance - $2,
                   total_tokens_used = total_tokens_used + $2,
                   monthly_tokens_used = monthly_tokens_used + $2,
                   updated_at = greatest(updated_at, $3)
             where account_id = $1 and balance - held >= $2 and next_maintenance_at > $3
            returning balance, held, total_tokens_used, monthly_tokens_used""";

    private static final String DRAWDOWN_AND_ENTRY = """
            with open_grants as (
                select grant_id, remaining,
                       (sum(remaining) over (order by priority, expires_at asc nulls last, created_at, grant_id))::bigint as upto
                  from credit_grant
                 where account_id = $1 and remaining > 0
            ), takes as (
                select grant_id, upto, least(remaining, $2::bigint - (upto - remaining)) as take
                  from open_grants
                 where upto - remaining < $2::bigint
            ), drawn as (
                update credit_grant g
                   set remaining = g.remaining - t.take, consumed = g.consumed + t.take
                  from takes t
                 where g.account_id = $1 and g.grant_id = t.grant_id
             returning g.grant_id, t.take, t.upto
            )
            insert into ledger_entry (account_id, kind, amount, balance_after, feature, tokens, grants,
                                      idempotency_key, actor, created_at)
            select $1, 'consume', -$2::bigint, $4::bigint, $5::varchar, $6::bigint,
                   coalesce((select jsonb_agg(jsonb_build_object('grantId', grant_id, 'amount', take) order by upto)
                               from drawn), '[]'::jsonb),
                   $7::varchar, $8::varchar, $3::timestamptz
            returning entry_id, grants""";

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
    public Uni<Debited> debit(SqlConnection conn, String userId, long cost, Long reportedTokens, String feature,
                              String idempotencyKey, String actor, Instant now) {
        return conn.preparedQuery(GUARDED_UPDATE).execute(Tuple.of(userId, cost, BookStore.utc(now)))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row account = rows.iterator().next();
                    long balance = account.getLong("balance");
                    Tuple entry = Tuple.tuple().addValue(userId).addValue(cost).addValue(BookStore.utc(now)).addValue(balance)
                            .addValue(feature).addValue(reportedTokens).addValue(idempotencyKey).addValue(actor);
                    return conn.preparedQuery(DRAWDOWN_AND_ENTRY).execute(entry)
                            .map(inserted -> new Debited(checkedEntryId(inserted, cost), balance, account.getLong("held"),
                                    account.getLong("total_tokens_used"), account.getLong("monthly_tokens_used")));
                });
    }

    private static long checkedEntryId(RowSet<Row> inserted, long cost) {
        Row row = inserted.iterator().next();
        JsonArray grants = (JsonArray) row.getValue("grants");
        long drawn = 0;
        for (Object portion : grants) {
            drawn += ((JsonObject) portion).getLong("amount");
        }
        if (drawn != cost) {
            throw new IllegalStateException("grants paid " + drawn + " of a debit of " + cost + ": balance and grants disagree");
        }
        return row.getLong("entry_id");
    }
}
