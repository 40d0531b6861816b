package dev.creditledger.subscription;

import dev.creditledger.account.Account;
import dev.creditledger.account.AccountService;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.ledger.Book;
import dev.creditledger.ledger.BookStore;
import dev.creditledger.ledger.Outcome;
import dev.creditledger.ledger.Writes;
import dev.creditledger.plan.PlanCatalog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Upgrades, changes, renewals and cancellations (the seed's {@code upgradeUserToPro} and
 * downgrade). A change of tier starts a new period with the new tier's full allowance; a renewal
 * of the active tier only moves its end.
 */
@ApplicationScoped
public class SubscriptionService {

    private final Writes writes;
    private final AccountService accounts;
    private final BookStore books;
    private final PlanCatalog plans;

    public SubscriptionService(Writes writes, AccountService accounts, BookStore books, PlanCatalog plans) {
        this.writes = writes;
        this.accounts = accounts;
        this.books = books;
        this.plans = plans;
    }

    public Uni<Outcome> change(String userId, SubscriptionRequest request, IdempotencyKey key) {
        plans.allowanceTokens(request.tier());
        boolean toDefault = request.tier().equals(plans.defaultTier());
        return writes.run(userId, key, (conn, now) -> accounts.locked(conn, userId, now, key).flatMap(book -> {
            Account account = book.account();
            boolean renewal = account.tier.equals(request.tier()) && !toDefault;
            Instant from = renewal && account.subscriptionEndsAt != null && account.subscriptionEndsAt.isAfter(now)
                    ? account.subscriptionEndsAt : now;
            Instant endsAt = SubscriptionTerms.endsAt(request.days(), "days", request.endsAt(), "endsAt", from, toDefault);
            if (account.tier.equals(request.tier())) {
                book.setSubscriptionEnd(endsAt, now);
            } else {
                book.changeTier(request.tier(), now, endsAt, plans);
            }
            return finish(conn, book, now);
        }));
    }

    /** Downgrade to the default tier now, or at the end of the current period. */
    public Uni<Outcome> cancel(String userId, boolean atPeriodEnd, IdempotencyKey key) {
        return writes.run(userId, key, (conn, now) -> accounts.locked(conn, userId, now, key).flatMap(book -> {
            Account account = book.account();
            if (!account.tier.equals(plans.defaultTier())) {
                if (atPeriodEnd) {
                    if (account.subscriptionEndsAt == null || account.subscriptionEndsAt.isAfter(account.periodEnd)) {
                        book.setSubscriptionEnd(account.periodEnd, now);
                    }
                } else {
                    book.changeTier(plans.defaultTier(), now, null, plans);
                }
            }
            return finish(conn, book, now);
        }));
    }

    private Uni<Outcome.Result> finish(io.vertx.mutiny.sqlclient.SqlConnection conn, Book book, Instant now) {
        book.maintain(now, plans);
        return books.flush(conn, book).replaceWith(() -> new Outcome.Result(200, accounts.view(book)));
    }
}
