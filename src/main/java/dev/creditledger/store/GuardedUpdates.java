package dev.creditledger.store;

import static dev.creditledger.sql.Sql.utc;

import dev.creditledger.domain.AccountSnapshot;
import dev.creditledger.domain.DebitResult;
import dev.creditledger.domain.HoldResult;
import dev.creditledger.domain.MaintenanceDue;
import dev.creditledger.domain.NoAccount;
import dev.creditledger.domain.ResolveResult;
import dev.creditledger.sql.Sql;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The three writes that move credits on the hot path, each one call of a database function and so
 * one round trip: {@code debit_account} and {@code hold_credits}, the guarded UPDATEs, and
 * {@code resolve_reservation}, which settles or releases a hold under the account row lock
 * (R__debit_account.sql, R__hold_credits.sql, R__resolve_reservation.sql). On its own
 * (autocommit) each call is its own transaction; inside a caller's it joins it.
 *
 * <p>This is the one place the service moves credits through the raw reactive client rather than
 * through entities: one statement in autocommit is what keeps the common consume at one round
 * trip (BENCHMARKS.md). Each function says in its {@code outcome} column what it did; this class
 * only maps that answer onto the domain's sealed result and decides nothing.
 */
@ApplicationScoped
public class GuardedUpdates {

    private static final String DEBIT = "select outcome, entry_id, balance, held, total_tokens_used, period_end, tier, "
            + "subscription_ends_at from debit_account($1, $2, $3, $4, $5, $6, $7)";
    private static final String HOLD = "select outcome, reservation_id, balance, held, open_reservations, period_end, tier, "
            + "subscription_ends_at, earliest_hold_expiry from hold_credits($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    private static final String RESOLVE = "select outcome, account_balance, account_held, " + ReservationRows.COLUMNS
            + " from resolve_reservation($1, $2, $3, $4, $5, $6, $7)";

    public Uni<DebitResult> debit(Sql sql, String userId, long cost, Long reportedTokens, String feature,
                                  String idempotencyKey, String actor, Instant now) {
        return sql.query(DEBIT, userId, cost, utc(now), feature, reportedTokens, idempotencyKey, actor).map(rows -> {
            Sql.Columns row = rows.get(0);
            return switch (row.string("outcome")) {
                case "paid" -> new DebitResult.Paid(row.longValue("entry_id"), row.longValue("balance"), row.longValue("held"),
                        row.longValue("total_tokens_used"), row.string("tier"));
                case "insufficient" -> new DebitResult.Insufficient(snapshot(row));
                case "due" -> new MaintenanceDue();
                case "no-account" -> new NoAccount();
                default -> throw unknown("debit_account", row);
            };
        });
    }

    public Uni<HoldResult> hold(Sql sql, String userId, long amount, Instant now, Instant expiresAt, String feature,
                                boolean metered, int maxOpen, String idempotencyKey, String actor) {
        return sql.query(HOLD, userId, amount, utc(now), utc(expiresAt), feature, metered, maxOpen, idempotencyKey, actor).map(rows -> {
            Sql.Columns row = rows.get(0);
            return switch (row.string("outcome")) {
                case "held" -> new HoldResult.Held(row.longValue("reservation_id"), row.longValue("balance"), row.longValue("held"));
                case "insufficient" -> new HoldResult.Insufficient(snapshot(row));
                case "too-many" -> new HoldResult.TooManyOpen(row.integer("open_reservations"), row.instant("earliest_hold_expiry"),
                        row.string("tier"));
                case "due" -> new MaintenanceDue();
                case "no-account" -> new NoAccount();
                default -> throw unknown("hold_credits", row);
            };
        });
    }

    public Uni<ResolveResult> resolve(Sql sql, String userId, long reservationId, boolean settle, Long tokens, Instant now,
                                      String idempotencyKey, String actor) {
        return sql.query(RESOLVE, userId, reservationId, settle, tokens, utc(now), idempotencyKey, actor).map(rows -> {
            Sql.Columns row = rows.get(0);
            return switch (row.string("outcome")) {
                case "resolved" -> new ResolveResult.Resolved(ReservationRows.reservation(row), row.longValue("account_balance"),
                        row.longValue("account_held"));
                case "not-open" -> new ResolveResult.NotOpen(ReservationRows.reservation(row));
                case "tokens-required" -> new ResolveResult.TokensRequired(ReservationRows.reservation(row));
                case "no-reservation" -> new ResolveResult.NoReservation();
                case "due" -> new MaintenanceDue();
                case "no-account" -> new NoAccount();
                default -> throw unknown("resolve_reservation", row);
            };
        });
    }

    private static AccountSnapshot snapshot(Sql.Columns row) {
        return new AccountSnapshot(row.longValue("balance"), row.longValue("held"), row.string("tier"),
                row.instant("subscription_ends_at"), row.instant("period_end"));
    }

    private static IllegalStateException unknown(String function, Sql.Columns row) {
        return new IllegalStateException(function + " answered the unknown outcome '" + row.string("outcome") + "'");
    }
}
