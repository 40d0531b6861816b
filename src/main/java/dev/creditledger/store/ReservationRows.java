package dev.creditledger.store;

import static dev.creditledger.store.Rows.instant;
import static dev.creditledger.store.Rows.utc;

import dev.creditledger.domain.Reservation;
import dev.creditledger.domain.ReservationStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads and writes of the reservation table. New holds and their resolution are written by the
 * database functions {@code hold_credits} and {@code resolve_reservation} (R__hold_credits.sql, R__resolve_reservation.sql); the
 * maintenance path (hold expiry, fitting holds to the balance) writes through here, under the
 * account row lock the caller holds.
 */
public final class ReservationRows {

    /** The table's columns, in the order {@link #reservation} reads them (also the tail of {@code resolve_reservation}'s result). */
    public static final String COLUMNS = "account_id, reservation_id, status, feature, metered, requested, held, tokens, charged, "
            + "idempotency_key, actor, created_at, expires_at, resolved_at";

    private ReservationRows() {
    }

    /** The account's open holds, oldest first. */
    public static Uni<List<Reservation>> open(SqlClient client, String userId) {
        return client.preparedQuery("select " + COLUMNS + " from reservation where account_id = $1 and status = 'open' "
                + "order by reservation_id").execute(Tuple.of(userId)).map(ReservationRows::all);
    }

    /** Writes status, held amount and resolution time of holds the maintenance path changed. */
    public static Uni<Void> update(SqlClient client, Collection<Reservation> changed) {
        if (changed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = changed.stream().map(r -> Tuple.of(r.accountId, r.reservationId, r.status.name(), r.held, utc(r.resolvedAt)))
                .toList();
        return client.preparedQuery("update reservation set status = $3, held = $4, resolved_at = $5 "
                + "where account_id = $1 and reservation_id = $2").executeBatch(batch).replaceWithVoid();
    }

    /** One reservation of one account; null when the account has none by that id. */
    public static Uni<Reservation> find(SqlClient client, String userId, long reservationId) {
        return client.preparedQuery("select " + COLUMNS + " from reservation where account_id = $1 and reservation_id = $2")
                .execute(Tuple.of(userId, reservationId))
                .map(rows -> rows.size() == 0 ? null : reservation(rows.iterator().next()));
    }

    /** Up to {@code limit} reservations, newest first, before {@code beforeId} when given, of one status when given. */
    public static Uni<List<Reservation>> page(SqlClient client, String userId, ReservationStatus status, Long beforeId, int limit) {
        return client.preparedQuery("select " + COLUMNS + " from reservation where account_id = $1 "
                        + "and ($2::varchar is null or status = $2) and ($3::bigint is null or reservation_id < $3) "
                        + "order by reservation_id desc limit $4")
                .execute(Tuple.of(userId, status == null ? null : status.name(), beforeId, limit))
                .map(ReservationRows::all);
    }

    private static List<Reservation> all(RowSet<Row> rows) {
        List<Reservation> out = new ArrayList<>();
        for (Row row : rows) {
            out.add(reservation(row));
        }
        return out;
    }

    public static Reservation reservation(Row row) {
        Reservation r = new Reservation();
        r.accountId = row.getString("account_id");
        r.reservationId = row.getLong("reservation_id");
        r.status = ReservationStatus.valueOf(row.getString("status"));
        r.feature = row.getString("feature");
        r.metered = row.getBoolean("metered");
        r.requested = row.getLong("requested");
        r.held = row.getLong("held");
        r.tokens = row.getLong("tokens");
        r.charged = row.getLong("charged");
        r.idempotencyKey = row.getString("idempotency_key");
        r.actor = row.getString("actor");
        r.createdAt = instant(row, "created_at");
        r.expiresAt = instant(row, "expires_at");
        r.resolvedAt = instant(row, "resolved_at");
        return r;
    }
}
