package dev.creditledger.store;

import dev.creditledger.domain.Reservation;
import dev.creditledger.domain.ReservationStatus;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Reservations. New holds and their resolution are written by the guarded database functions
 * ({@link GuardedUpdates}); the maintenance path (hold expiry, shrinking to fit) changes the
 * entities it loads under the account row lock, and Hibernate writes them at the flush.
 */
@ApplicationScoped
@WithSession
public class ReservationRepository implements PanacheRepositoryBase<Reservation, Reservation.Key> {

    /** The account's open holds, oldest first. */
    public Uni<List<Reservation>> openHolds(String userId) {
        return list("accountId = ?1 and status = ?2 order by reservationId", userId, ReservationStatus.open);
    }

    /** One reservation of one account; null when the account has none by that id. */
    public Uni<Reservation> find(String userId, long reservationId) {
        Reservation.Key key = new Reservation.Key();
        key.accountId = userId;
        key.reservationId = reservationId;
        return findById(key);
    }

    /** Up to {@code limit} reservations, newest first, before {@code beforeId} when given, of one status when given. */
    public Uni<List<Reservation>> page(String userId, ReservationStatus status, Long beforeId, int limit) {
        String query = "accountId = :user" + (status == null ? "" : " and status = :status")
                + (beforeId == null ? "" : " and reservationId < :before") + " order by reservationId desc";
        Parameters params = Parameters.with("user", userId);
        if (status != null) {
            params.and("status", status);
        }
        if (beforeId != null) {
            params.and("before", beforeId);
        }
        return find(query, params).page(Page.ofSize(limit)).list();
    }
}
