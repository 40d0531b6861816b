package dev.creditledger.reservation;

import static dev.creditledger.ledger.BookStore.instant;
import static dev.creditledger.ledger.BookStore.utc;

import dev.creditledger.account.Account;
import dev.creditledger.ledger.BookStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The two writes of a reservation, each one call of a database function (migration V5) and so
 * one round trip: {@code hold_credits}, the guarded UPDATE that sets credits aside, and
 * {@code resolve_reservation}, which settles or releases a hold under the account row lock. On
 * their own (autocommit) each call is its own transaction; inside a caller's it joins it.
 */
@ApplicationScoped
public class Holds {

    private static final String HOLD = "select reservation_id, entry_id, balance, held, open_reservations, next_maintenance_at, "
            + "period_end, tier, subscription_ends_at, earliest_hold_expiry from hold_credits($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    private static final String RESOLVE = "select outcome, entry_id, account_balance, account_held, " + ReservationRows.COLUMNS
            + " from resolve_reservation($1, $2, $3, $4, $5, $6, $7)";

    /** A hold that went through: its reservation and the account's balance and held amount after it. */
    public record Held(long reservationId, long balance, long held) {
    }

    /**
     * What one hold attempt found: {@code held} when it went through; otherwise {@code refused}
     * holds the unchanged account (balance, held, open reservations, tier, period and maintenance
     * instants) and {@code earliestHoldExpiry} its first open hold's expiry; all null when there
     * is no such account.
     */
    public record HoldAttempt(Held held, Account refused, Instant earliestHoldExpiry) {
    }

    /** How a settle or release came out; only {@code done} changed anything. */
    public enum Outcome {
        done, due, not_open, tokens_required, no_reservation, no_account
    }

    /** The outcome, the account's balance and held amount, and the reservation (after a {@code done}). */
    public record Resolved(Outcome outcome, long balance, long held, Reservation reservation) {
    }

    public Uni<HoldAttempt> hold(SqlClient client, String userId, long amount, Instant now, Instant expiresAt, String feature,
                                 boolean metered, int maxOpen, String idempotencyKey, String actor) {
        Tuple args = Tuple.tuple().addValue(userId).addValue(amount).addValue(utc(now)).addValue(utc(expiresAt)).addValue(feature)
                .addValue(metered).addValue(maxOpen).addValue(idempotencyKey).addValue(actor);
        return client.preparedQuery(HOLD).execute(args).map(rows -> {
            if (rows.size() == 0) {
                return new HoldAttempt(null, null, null);
            }
            Row row = rows.iterator().next();
            if (row.getLong("reservation_id") != null) {
                return new HoldAttempt(new Held(row.getLong("reservation_id"), row.getLong("balance"), row.getLong("held")), null, null);
            }
            Account account = BookStore.refusedAccount(row, userId);
            account.openReservations = row.getInteger("open_reservations");
            return new HoldAttempt(null, account, instant(row, "earliest_hold_expiry"));
        });
    }

    public Uni<Resolved> resolve(SqlClient client, String userId, long reservationId, boolean settle, Long tokens, Instant now,
                                 String idempotencyKey, String actor) {
        Tuple args = Tuple.tuple().addValue(userId).addValue(reservationId).addValue(settle).addValue(tokens).addValue(utc(now))
                .addValue(idempotencyKey).addValue(actor);
        return client.preparedQuery(RESOLVE).execute(args).map(rows -> {
            if (rows.size() == 0) {
                return new Resolved(Outcome.no_account, 0, 0, null);
            }
            Row row = rows.iterator().next();
            Outcome outcome = Outcome.valueOf(row.getString("outcome").replace('-', '_'));
            Reservation r = row.getLong("reservation_id") == null ? null : ReservationRows.reservation(row);
            return new Resolved(outcome, row.getLong("account_balance"), row.getLong("account_held"), r);
        });
    }
}
