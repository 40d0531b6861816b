package dev.creditledger.consume;

import dev.creditledger.account.AccountService;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.ledger.BookStore;
import dev.creditledger.ledger.Debit;
import dev.creditledger.ledger.InsufficientCredits;
import dev.creditledger.ledger.Outcome;
import dev.creditledger.ledger.Writes;
import dev.creditledger.plan.PlanCatalog;
import dev.creditledger.problem.CreditException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Pays for one action. The common case, paid or refused, is the guarded debit alone: one round
 * trip in autocommit (or, with an Idempotency-Key, inside the transaction that holds the key's
 * record). A refusal comes back with the account's state, which tells an unknown account (404)
 * from too few credits (429, nothing changed); only when maintenance is due does the service take
 * the row lock, apply it and debit once more.
 */
@ApplicationScoped
public class ConsumeService {

    private final Writes writes;
    private final Debit debit;
    private final BookStore books;
    private final PlanCatalog plans;
    private final InsufficientCredits insufficient;

    public ConsumeService(Writes writes, Debit debit, BookStore books, PlanCatalog plans, InsufficientCredits insufficient) {
        this.insufficient = insufficient;
        this.writes = writes;
        this.debit = debit;
        this.books = books;
        this.plans = plans;
    }

    public Uni<Outcome> consume(String userId, ConsumeRequest request, IdempotencyKey key) {
        PlanCatalog.PricedFeature feature = plans.feature(request.feature());
        Long tokens = plans.checkedTokens(request.tokens());
        if (feature.metered() && tokens == null) {
            throw CreditException.invalid("tokens", "is required for the metered feature '" + feature.name() + "'");
        }
        long cost = feature.metered() ? tokens : feature.tokensPerRequest();
        String keyValue = key == null ? null : key.value();
        String name = feature.name();
        if (key != null) {
            return writes.run(userId, key, (conn, now) -> attempt(conn, userId, cost, tokens, name, keyValue, now)
                    .flatMap(first -> settle(first, userId, cost, now,
                            () -> maintainThenRetry(conn, userId, cost, tokens, name, keyValue, now)))
                    .map(paid -> new Outcome.Result(200, response(name, cost, paid))));
        }
        return writes.autocommit((client, now) -> attempt(client, userId, cost, tokens, name, null, now)
                        .flatMap(first -> settle(first, userId, cost, now, () -> writes.transaction(conn ->
                                maintainThenRetry(conn, userId, cost, tokens, name, null, writes.now())))))
                .map(paid -> writes.outcome(new Outcome.Result(200, response(name, cost, paid))));
    }

    /** The guarded debit alone: one round trip, which also reports the account's state on a refusal. */
    private Uni<Debit.Attempt> attempt(SqlClient client, String userId, long cost, Long tokens, String feature, String key,
                                       Instant now) {
        return debit.debit(client, userId, cost, tokens, feature, key, AccountService.ACTOR, now);
    }

    /**
     * Paid, or why not: 404 for no account, 429 when nothing is due (no further round trip), and
     * only when maintenance is due the slow path.
     */
    private Uni<Debit.Debited> settle(Debit.Attempt attempt, String userId, long cost, Instant now,
                                      Supplier<Uni<Debit.Debited>> whenDue) {
        if (attempt.paid() != null) {
            return Uni.createFrom().item(attempt.paid());
        }
        if (attempt.refused() == null) {
            return Uni.createFrom().failure(CreditException.accountNotFound(userId));
        }
        if (attempt.refused().nextMaintenanceAt.isAfter(now)) {
            return Uni.createFrom().failure(insufficient.refusal(attempt.refused(), cost, now));
        }
        return whenDue.get();
    }

    /** Under the row lock: apply the due maintenance, then debit once more. */
    private Uni<Debit.Debited> maintainThenRetry(SqlConnection conn, String userId, long cost, Long tokens, String feature,
                                                 String key, Instant now) {
        return books.lock(conn, userId, AccountService.ACTOR).flatMap(book -> {
            if (book == null) {
                return Uni.createFrom().failure(CreditException.accountNotFound(userId));
            }
            book.maintain(now, plans);
            return books.flush(conn, book)
                    .chain(() -> attempt(conn, userId, cost, tokens, feature, key, now))
                    .flatMap(retry -> retry.paid() != null
                            ? Uni.createFrom().item(retry.paid())
                            : Uni.createFrom().failure(insufficient.refusal(book.account(), cost, now)));
        });
    }

    private ConsumeResponse response(String feature, long cost, Debit.Debited paid) {
        return new ConsumeResponse(true, feature, paid.entryId(), new ConsumeResponse.CreditInfo(cost, plans.credits(cost),
                plans.credits(paid.available()), paid.available(), paid.totalTokensUsed()));
    }
}
