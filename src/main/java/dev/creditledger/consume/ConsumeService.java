package dev.creditledger.consume;

import dev.creditledger.account.Account;
import dev.creditledger.account.AccountService;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.ledger.BookStore;
import dev.creditledger.ledger.Debit;
import dev.creditledger.ledger.Outcome;
import dev.creditledger.ledger.Writes;
import dev.creditledger.plan.PlanCatalog;
import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;

/**
 * Pays for one action. The common case is the guarded debit alone, one round trip in autocommit
 * (or, with an Idempotency-Key, inside the transaction that holds the key's record). Only when it
 * is refused does the service open a transaction and look at the account, to tell an unknown
 * account (404) from a due maintenance (apply it, then debit once more) from too few credits (429,
 * nothing changed).
 */
@ApplicationScoped
public class ConsumeService {

    private final Writes writes;
    private final Debit debit;
    private final BookStore books;
    private final PlanCatalog plans;

    public ConsumeService(Writes writes, Debit debit, BookStore books, PlanCatalog plans) {
        this.writes = writes;
        this.debit = debit;
        this.books = books;
        this.plans = plans;
    }

    public Uni<Outcome> consume(String userId, ConsumeRequest request, IdempotencyKey key) {
        PlanCatalog.PricedFeature feature = plans.feature(request.feature());
        Long tokens = request.tokens();
        if (tokens != null && tokens > plans.maxTokensPerRequest()) {
            throw CreditException.invalid("tokens", "must be at most " + plans.maxTokensPerRequest());
        }
        if (feature.metered() && tokens == null) {
            throw CreditException.invalid("tokens", "is required for the metered feature '" + feature.name() + "'");
        }
        long cost = feature.metered() ? tokens : feature.tokensPerRequest();
        String keyValue = key == null ? null : key.value();
        if (key != null) {
            return writes.run(userId, key, (conn, now) -> attempt(conn, userId, cost, tokens, feature.name(), keyValue, now)
                    .flatMap(paid -> paid != null ? Uni.createFrom().item(paid)
                            : refused(conn, userId, cost, tokens, feature.name(), keyValue, now))
                    .map(paid -> new Outcome.Result(200, response(feature.name(), cost, paid))));
        }
        return writes.autocommit((client, now) -> attempt(client, userId, cost, tokens, feature.name(), null, now))
                .flatMap(paid -> paid != null
                        ? Uni.createFrom().item(paid)
                        : writes.transaction(conn -> refused(conn, userId, cost, tokens, feature.name(), null, writes.now())))
                .map(paid -> writes.outcome(new Outcome.Result(200, response(feature.name(), cost, paid))));
    }

    /** The guarded debit alone: one round trip, null when refused (nothing changed). */
    private Uni<Debit.Debited> attempt(SqlClient client, String userId, long cost, Long tokens, String feature, String key,
                                       Instant now) {
        return debit.debit(client, userId, cost, tokens, feature, key, AccountService.ACTOR, now);
    }

    /**
     * After a refusal: 404 for no account, 429 when nothing is due, else apply the due maintenance
     * under the row lock and debit once more.
     */
    private Uni<Debit.Debited> refused(SqlConnection conn, String userId, long cost, Long tokens, String feature,
                                       String key, Instant now) {
        return books.lockAccount(conn, userId).flatMap(account -> {
            if (account == null) {
                return Uni.createFrom().failure(CreditException.accountNotFound(userId));
            }
            if (account.nextMaintenanceAt.isAfter(now)) {
                return Uni.createFrom().failure(insufficient(account, cost, now));
            }
            return books.book(conn, account, AccountService.ACTOR).flatMap(book -> {
                book.maintain(now, plans);
                return books.flush(conn, book)
                        .chain(() -> attempt(conn, userId, cost, tokens, feature, key, now))
                        .onItem().ifNull().failWith(() -> insufficient(book.account(), cost, now));
            });
        });
    }

    private CreditException insufficient(Account account, long cost, Instant now) {
        long available = account.available();
        CreditException e = new CreditException(ErrorCode.INSUFFICIENT_CREDITS,
                "You have " + plans.credits(available).toPlainString() + " credits remaining (" + available + " tokens)")
                .with("error", "Insufficient credits")
                .with("remainingCredits", plans.credits(available))
                .with("maxTokens", available)
                .with("requiredTokens", cost)
                .with("requiredCredits", plans.credits(cost))
                .with("monthlyResetDate", account.periodEnd.toString());
        boolean paidEndsFirst = account.subscriptionEndsAt != null && !account.tier.equals(plans.defaultTier())
                && !account.subscriptionEndsAt.isAfter(account.periodEnd);
        Instant refill = paidEndsFirst ? account.subscriptionEndsAt : account.periodEnd;
        String tierAfter = paidEndsFirst || !plans.isKnownTier(account.tier) ? plans.defaultTier() : account.tier;
        if (plans.allowanceTokens(tierAfter) >= cost) {
            long seconds = Math.max(1, Duration.between(now, refill).toMillis() / 1000 + 1);
            e.header("Retry-After", Long.toString(seconds));
        }
        return e;
    }

    private ConsumeResponse response(String feature, long cost, Debit.Debited paid) {
        return new ConsumeResponse(true, feature, paid.entryId(), new ConsumeResponse.CreditInfo(cost, plans.credits(cost),
                plans.credits(paid.available()), paid.available(), paid.totalTokensUsed()));
    }
}
