package dev.creditledger.store;

import dev.creditledger.domain.Reservation;
import dev.creditledger.domain.ReservationStatus;
import dev.creditledger.sql.Sql;

/**
 * The reservation as {@code resolve_reservation} returns it: its result ends with the table's
 * columns, so the hot path needs no second read. Part of the raw-SQL exception of {@link GuardedUpdates}.
 */
final class ReservationRows {

    /** The table's columns, in the order of {@code resolve_reservation}'s result (R__resolve_reservation.sql). */
    static final String COLUMNS = "account_id, reservation_id, status, feature, metered, requested, held, tokens, charged, "
            + "idempotency_key, actor, created_at, expires_at, resolved_at";

    private ReservationRows() {
    }

    static Reservation reservation(Sql.Columns row) {
        Reservation r = new Reservation();
        r.accountId = row.string("account_id");
        r.reservationId = row.longValue("reservation_id");
        r.status = ReservationStatus.valueOf(row.string("status"));
        r.feature = row.string("feature");
        r.metered = row.bool("metered");
        r.requested = row.longValue("requested");
        r.held = row.longValue("held");
        r.tokens = row.longValue("tokens");
        r.charged = row.longValue("charged");
        r.idempotencyKey = row.string("idempotency_key");
        r.actor = row.string("actor");
        r.createdAt = row.instant("created_at");
        r.expiresAt = row.instant("expires_at");
        r.resolvedAt = row.instant("resolved_at");
        return r;
    }
}
