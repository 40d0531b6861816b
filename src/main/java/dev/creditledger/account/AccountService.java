package dev.creditledger.account;

import dev.creditledger.grant.GrantRepository;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.ledger.Book;
import dev.creditledger.ledger.BookStore;
import dev.creditledger.ledger.Outcome;
import dev.creditledger.ledger.Writes;
import dev.creditledger.plan.Periods;
import dev.creditledger.plan.PlanCatalog;
import dev.creditledger.problem.CreditException;
import dev.creditledger.subscription.SubscriptionTerms;
import dev.creditledger.time.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Sign-up and usage status. */
@ApplicationScoped
public class AccountService {

    public static final String ACTOR = "api";

    private final Writes writes;
    private final BookStore books;
    private final AccountRepository accounts;
    private final GrantRepository grants;
    private final PlanCatalog plans;
    private final Clock clock;

    public AccountService(Writes writes, BookStore books, AccountRepository accounts, GrantRepository grants, PlanCatalog plans,
                          Clock clock) {
        this.writes = writes;
        this.books = books;
        this.accounts = accounts;
        this.grants = grants;
        this.plans = plans;
        this.clock = clock;
    }

    /** Creates the account with its tier's allowance (201), or answers the existing one (200). */
    public Uni<Outcome> open(String userId, OpenAccountRequest body, IdempotencyKey key) {
        String tier = body.tier() == null ? plans.defaultTier() : body.tier();
        plans.allowanceTokens(tier);
        return writes.run(userId, key, (conn, now) -> {
            Instant endsAt = SubscriptionTerms.endsAt(body.subscriptionDays(), "subscriptionDays", body.subscriptionEndsAt(),
                    "subscriptionEndsAt", now, tier.equals(plans.defaultTier()));
            return books.insert(conn, newAccount(userId, tier, now))
                    .flatMap(created -> created == null
                            ? existing(conn, userId, now)
                            : opened(conn, created, tier, endsAt, now, key));
        });
    }

    private Uni<Outcome.Result> opened(SqlConnection conn, Account account, String tier, Instant endsAt, Instant now,
                                        IdempotencyKey key) {
        Book book = new Book(account, List.of(), ACTOR);
        book.recordKey(key == null ? null : key.value());
        book.changeTier(tier, now, endsAt, plans);
        book.maintain(now, plans);
        return books.flush(conn, book).replaceWith(() -> new Outcome.Result(201, view(book)));
    }

    private Uni<Outcome.Result> existing(SqlConnection conn, String userId, Instant now) {
        return maintained(conn, userId, now).map(book -> new Outcome.Result(200, view(book)));
    }

    /** Usage status; an overdue reset or expiry is applied first, so a late scheduler changes nothing visible. */
    public Uni<AccountView> status(String userId) {
        return current(userId).flatMap(account -> grants.openGrants(userId).map(open -> AccountView.of(account, open, plans)));
    }

    /** The account as of now, with any due maintenance applied; 404 when it does not exist. */
    public Uni<Account> current(String userId) {
        Instant now = Instants.now(clock);
        return accounts.findAccount(userId).flatMap(account -> {
            if (account == null) {
                return Uni.createFrom().failure(CreditException.accountNotFound(userId));
            }
            if (account.nextMaintenanceAt.isAfter(now)) {
                return Uni.createFrom().item(account);
            }
            return writes.transaction(conn -> maintained(conn, userId, now)).map(Book::account);
        });
    }

    /** Locks the account and applies whatever maintenance is due, then writes it. */
    public Uni<Book> maintained(SqlConnection conn, String userId, Instant now) {
        return locked(conn, userId, now, null).call(book -> books.flush(conn, book));
    }

    /**
     * Locks the account and applies whatever maintenance is due, in memory: the caller makes its
     * own changes and flushes once. 404 when the account does not exist.
     */
    public Uni<Book> locked(SqlConnection conn, String userId, Instant now, IdempotencyKey key) {
        return books.lock(conn, userId, ACTOR).map(book -> {
            if (book == null) {
                throw CreditException.accountNotFound(userId);
            }
            book.maintain(now, plans);
            book.recordKey(key == null ? null : key.value());
            return book;
        });
    }

    public AccountView view(Book book) {
        return AccountView.of(book.account(), book.openGrants(), plans);
    }

    private Account newAccount(String userId, String tier, Instant now) {
        Account a = new Account();
        a.accountId = userId;
        a.tier = tier;
        a.periodAnchor = now;
        a.periodStart = now;
        a.periodEnd = Periods.boundary(now, 1);
        a.nextMaintenanceAt = a.periodEnd;
        a.createdAt = now;
        a.updatedAt = now;
        return a;
    }
}
