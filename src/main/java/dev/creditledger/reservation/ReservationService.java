package dev.creditledger.reservation;

import dev.creditledger.api.Answer;
import dev.creditledger.api.Cursors;
import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.Actors;
import dev.creditledger.domain.HoldResult;
import dev.creditledger.domain.Refusal;
import dev.creditledger.domain.RefusedException;
import dev.creditledger.domain.Reservation;
import dev.creditledger.domain.ReservationStatus;
import dev.creditledger.domain.ResolveResult;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.metrics.CreditMetrics;
import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import dev.creditledger.store.GuardedUpdates;
import dev.creditledger.store.ReservationRepository;
import dev.creditledger.write.DueMaintenance;
import dev.creditledger.write.GuardedWrite;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds, settles and releases reservations. Like the debit, each write is one guarded database
 * call through {@link GuardedWrite}: in the common case one round trip; only when maintenance is
 * due (a period end, an expiry) is the account locked, brought up to date and the call made again.
 */
@ApplicationScoped
public class ReservationService {

    private final GuardedWrite guarded;
    private final GuardedUpdates updates;
    private final DueMaintenance maintenance;
    private final PlanCatalog plans;
    private final ReservationRepository reservations;
    private final CreditsConfig.Reservations config;
    private final CreditMetrics metrics;

    public ReservationService(GuardedWrite guarded, GuardedUpdates updates, DueMaintenance maintenance, PlanCatalog plans, ReservationRepository reservations,
                              CreditsConfig config, CreditMetrics metrics) {
        this.metrics = metrics;
        this.guarded = guarded;
        this.updates = updates;
        this.maintenance = maintenance;
        this.plans = plans;
        this.reservations = reservations;
        this.config = config.reservations();
    }

    /** Sets credits aside (201), or refuses with 429 and changes nothing. */
    public Uni<Answer> hold(String userId, ReservationRequest request, IdempotencyKey key) {
        PlanCatalog.PricedFeature feature = plans.feature(request.feature());
        Long tokens = plans.checkedTokens(request.tokens());
        if (feature.metered() && tokens == null) {
            throw CreditException.invalid("tokens", "is required for the metered feature '" + feature.name() + "'");
        }
        if (!feature.metered() && tokens != null) {
            throw CreditException.invalid("tokens", "must be absent: the fixed feature '" + feature.name() + "' holds its price");
        }
        Duration ttl = ttl(request.ttlSeconds());
        long amount = feature.metered() ? tokens : feature.tokensPerRequest();
        String keyValue = key == null ? null : key.value();
        int maxOpen = config.maxOpenPerAccount();
        AtomicReference<String> tier = new AtomicReference<>();
        return guarded.run(userId, key,
                (client, now) -> updates.hold(client, userId, amount, now, now.plus(ttl), feature.name(), feature.metered(),
                        maxOpen, keyValue, Actors.API),
                (HoldResult result, Instant now) -> {
                    if (result instanceof HoldResult.TooManyOpen tooMany) {
                        tier.set(tooMany.tier());
                        throw new RefusedException(new Refusal.TooManyReservations(tooMany.openReservations(), maxOpen,
                                tooMany.earliestHoldExpiry(), now));
                    }
                    if (result instanceof HoldResult.Insufficient refused) {
                        tier.set(refused.account().tier());
                        throw new RefusedException(Refusal.InsufficientCredits.of(refused.account(), amount, now, plans));
                    }
                    HoldResult.Held held = (HoldResult.Held) result;
                    Reservation r = new Reservation();
                    r.accountId = userId;
                    r.reservationId = held.reservationId();
                    r.status = ReservationStatus.open;
                    r.feature = feature.name();
                    r.metered = feature.metered();
                    r.requested = amount;
                    r.held = amount;
                    r.createdAt = now;
                    r.expiresAt = now.plus(ttl);
                    return new Answer.Result(201, answer(r, held.balance(), held.held()));
                })
                // Counted once committed (a replay opens nothing new), or once refused.
                .invoke(answer -> {
                    if (!answer.replayed()) {
                        metrics.reservation("opened");
                    }
                })
                .onFailure(e -> RefusedException.in(e) != null)
                .invoke(e -> metrics.refused("hold", RefusedException.in(e), feature.name(), tier.get()));
    }

    /** Charges the actual usage and ends the hold (200); 409 when the reservation is no longer open. */
    public Uni<Answer> settle(String userId, long reservationId, SettleRequest request, IdempotencyKey key) {
        Long tokens = plans.checkedTokens(request == null ? null : request.tokens());
        return resolve(userId, reservationId, true, tokens, key);
    }

    /** Ends the hold without charging anything (200); 409 when the reservation is no longer open. */
    public Uni<Answer> release(String userId, long reservationId, IdempotencyKey key) {
        return resolve(userId, reservationId, false, null, key);
    }

    /** One reservation of the account, after any due maintenance (so an expired hold shows as expired). */
    public Uni<ReservationView> get(String userId, long reservationId) {
        return maintenance.upToDate(userId)
                .flatMap(account -> reservations.find(userId, reservationId))
                .map(r -> {
                    if (r == null) {
                        throw notFound(userId, reservationId);
                    }
                    return ReservationView.of(r, plans);
                });
    }

    /** The account's reservations, newest first, of one status when given. */
    public Uni<ReservationPage> page(String userId, ReservationStatus status, int limit, String cursor) {
        Long before = Cursors.entryId(cursor);
        return maintenance.upToDate(userId)
                .flatMap(account -> reservations.page(userId, status, before, limit + 1))
                .map(found -> {
                    Cursors.Slice<Reservation> page = Cursors.Slice.of(found, limit, r -> r.reservationId);
                    return new ReservationPage(page.items().stream().map(r -> ReservationView.of(r, plans)).toList(), page.nextCursor());
                });
    }

    private Uni<Answer> resolve(String userId, long reservationId, boolean settle, Long tokens, IdempotencyKey key) {
        String keyValue = key == null ? null : key.value();
        AtomicReference<Reservation> resolvedAs = new AtomicReference<>();
        return guarded.run(userId, key,
                (client, now) -> updates.resolve(client, userId, reservationId, settle, tokens, now, keyValue, Actors.API),
                (ResolveResult result, Instant now) -> {
                    if (result instanceof ResolveResult.Resolved resolved) {
                        resolvedAs.set(resolved.reservation());
                        return new Answer.Result(200, answer(resolved.reservation(), resolved.balance(), resolved.held()));
                    }
                    if (result instanceof ResolveResult.NotOpen notOpen) {
                        throw new CreditException(ErrorCode.RESERVATION_NOT_OPEN, "Reservation " + reservationId + " is already "
                                + notOpen.reservation().status + "; nothing was changed")
                                .with("reservation", ReservationView.of(notOpen.reservation(), plans));
                    }
                    if (result instanceof ResolveResult.TokensRequired required) {
                        throw CreditException.invalid("tokens", "is required to settle a reservation of the metered feature '"
                                + required.reservation().feature + "'");
                    }
                    throw notFound(userId, reservationId);
                })
                .invoke(answer -> {
                    Reservation r = resolvedAs.get();
                    if (!answer.replayed() && r != null) {
                        metrics.reservation(settle ? "settled" : "released");
                        if (settle && r.charged != null) {
                            metrics.debited(r.feature, r.charged);
                        }
                    }
                });
    }

    private ReservationAnswer answer(Reservation r, long balance, long held) {
        return new ReservationAnswer(ReservationView.of(r, plans), plans.credits(balance - held), balance - held, held);
    }

    private Duration ttl(Long seconds) {
        if (seconds == null) {
            return config.defaultTtl();
        }
        if (seconds > config.maxTtl().toSeconds()) {
            throw CreditException.invalid("ttlSeconds", "must be at most " + config.maxTtl().toSeconds());
        }
        return Duration.ofSeconds(seconds);
    }

    static CreditException notFound(String userId, long reservationId) {
        return new CreditException(ErrorCode.RESERVATION_NOT_FOUND, "User '" + userId + "' has no reservation " + reservationId);
    }
}
