package dev.creditledger.reservation;

import dev.creditledger.account.Account;
import dev.creditledger.account.AccountService;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.ledger.Cursors;
import dev.creditledger.ledger.InsufficientCredits;
import dev.creditledger.ledger.Outcome;
import dev.creditledger.ledger.Writes;
import dev.creditledger.plan.CreditsConfig;
import dev.creditledger.plan.PlanCatalog;
import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * Holds, settles and releases reservations. Like the debit, each write is one database call in
 * the common case (in autocommit, or inside the transaction that holds the Idempotency-Key's
 * record); only when maintenance is due (a period end, an expiry) does the service lock the
 * account, apply it and try once more.
 */
@ApplicationScoped
public class ReservationService {

    private final Writes writes;
    private final Holds holds;
    private final AccountService accounts;
    private final PlanCatalog plans;
    private final InsufficientCredits insufficient;
    private final Pool pool;
    private final CreditsConfig.Reservations config;

    public ReservationService(Writes writes, Holds holds, AccountService accounts, PlanCatalog plans,
                              InsufficientCredits insufficient, Pool pool, CreditsConfig config) {
        this.writes = writes;
        this.holds = holds;
        this.accounts = accounts;
        this.plans = plans;
        this.insufficient = insufficient;
        this.pool = pool;
        this.config = config.reservations();
    }

    /** Sets credits aside (201), or refuses with 429 and changes nothing. */
    public Uni<Outcome> hold(String userId, ReservationRequest request, IdempotencyKey key) {
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
        return write(userId, key,
                (client, now) -> holds.hold(client, userId, amount, now, now.plus(ttl), feature.name(), feature.metered(),
                        config.maxOpenPerAccount(), keyValue, AccountService.ACTOR),
                (attempt, now) -> attempt.held() == null && attempt.refused() != null && !attempt.refused().nextMaintenanceAt.isAfter(now),
                (attempt, now) -> {
                    if (attempt.held() == null) {
                        throw refusal(attempt, userId, amount, now);
                    }
                    Reservation r = new Reservation();
                    r.accountId = userId;
                    r.reservationId = attempt.held().reservationId();
                    r.status = ReservationStatus.open;
                    r.feature = feature.name();
                    r.metered = feature.metered();
                    r.requested = amount;
                    r.held = amount;
                    r.createdAt = now;
                    r.expiresAt = now.plus(ttl);
                    return new Outcome.Result(201, answer(r, attempt.held().balance(), attempt.held().held()));
                });
    }

    /** Charges the actual usage and ends the hold (200); 409 when the reservation is no longer open. */
    public Uni<Outcome> settle(String userId, long reservationId, SettleRequest request, IdempotencyKey key) {
        Long tokens = plans.checkedTokens(request == null ? null : request.tokens());
        return resolve(userId, reservationId, true, tokens, key);
    }

    /** Ends the hold without charging anything (200); 409 when the reservation is no longer open. */
    public Uni<Outcome> release(String userId, long reservationId, IdempotencyKey key) {
        return resolve(userId, reservationId, false, null, key);
    }

    /** One reservation of the account, after any due maintenance (so an expired hold shows as expired). */
    public Uni<ReservationView> get(String userId, long reservationId) {
        return accounts.current(userId)
                .flatMap(account -> ReservationRows.find(pool, userId, reservationId))
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
        return accounts.current(userId)
                .flatMap(account -> ReservationRows.page(pool, userId, status, before, limit + 1))
                .map(found -> {
                    Cursors.Slice<Reservation> page = Cursors.Slice.of(found, limit, r -> r.reservationId);
                    return new ReservationPage(page.items().stream().map(r -> ReservationView.of(r, plans)).toList(), page.nextCursor());
                });
    }

    private Uni<Outcome> resolve(String userId, long reservationId, boolean settle, Long tokens, IdempotencyKey key) {
        String keyValue = key == null ? null : key.value();
        return write(userId, key,
                (client, now) -> holds.resolve(client, userId, reservationId, settle, tokens, now, keyValue, AccountService.ACTOR),
                (resolved, now) -> resolved.outcome() == Holds.Outcome.due,
                (resolved, now) -> switch (resolved.outcome()) {
                    case done -> new Outcome.Result(200, answer(resolved.reservation(), resolved.balance(), resolved.held()));
                    case no_account -> throw CreditException.accountNotFound(userId);
                    case no_reservation -> throw notFound(userId, reservationId);
                    case tokens_required -> throw CreditException.invalid("tokens",
                            "is required to settle a reservation of the metered feature '" + resolved.reservation().feature + "'");
                    case not_open -> throw new CreditException(ErrorCode.RESERVATION_NOT_OPEN,
                            "Reservation " + reservationId + " is already " + resolved.reservation().status + "; nothing was changed")
                            .with("reservation", ReservationView.of(resolved.reservation(), plans));
                    case due -> throw new IllegalStateException("maintenance of account " + userId + " is still due after it was applied");
                });
    }

    /**
     * The shape every reservation write shares: one database call (inside the transaction that
     * holds the Idempotency-Key's record, or in autocommit); when it finds maintenance due, the
     * account is locked, brought up to date and the call made once more in that transaction.
     * {@code answer} turns the final attempt into the response, or throws its refusal.
     */
    private <A> Uni<Outcome> write(String userId, IdempotencyKey key, BiFunction<SqlClient, Instant, Uni<A>> attempt,
                                   BiPredicate<A, Instant> due, BiFunction<A, Instant, Outcome.Result> answer) {
        BiFunction<SqlConnection, Instant, Uni<A>> slow = (conn, now) -> accounts.maintained(conn, userId, now)
                .chain(() -> attempt.apply(conn, now));
        if (key != null) {
            return writes.run(userId, key, (conn, now) -> attempt.apply(conn, now)
                    .flatMap(first -> due.test(first, now) ? slow.apply(conn, now) : Uni.createFrom().item(first))
                    .map(done -> answer.apply(done, now)));
        }
        // On the slow path the answer (or the refusal it throws) is made inside the transaction,
        // so a refusal rolls the maintenance back with everything else: a refused request changes nothing.
        return writes.autocommit((client, now) -> attempt.apply(client, now)
                .flatMap(first -> due.test(first, now)
                        ? writes.transaction(conn -> slow.apply(conn, now).map(done -> answer.apply(done, now)))
                        : Uni.createFrom().item(() -> answer.apply(first, now)))
                .map(writes::outcome));
    }

    /** Why a hold was refused: no account (404), the cap on open holds, or too few credits (both 429). */
    private CreditException refusal(Holds.HoldAttempt attempt, String userId, long amount, Instant now) {
        Account account = attempt.refused();
        if (account == null) {
            return CreditException.accountNotFound(userId);
        }
        if (!account.nextMaintenanceAt.isAfter(now)) {
            throw new IllegalStateException("maintenance of account " + userId + " is still due after it was applied");
        }
        if (account.openReservations >= config.maxOpenPerAccount()) {
            CreditException e = new CreditException(ErrorCode.TOO_MANY_RESERVATIONS, "The account has " + account.openReservations
                    + " open reservations, the most it may have; settle or release one first")
                    .with("openReservations", account.openReservations)
                    .with("maxOpenReservations", config.maxOpenPerAccount());
            if (attempt.earliestHoldExpiry() != null) {
                e.header("Retry-After", Long.toString(InsufficientCredits.secondsUntil(now, attempt.earliestHoldExpiry())));
            }
            return e;
        }
        return insufficient.refusal(account, amount, now);
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
