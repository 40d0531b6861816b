package dev.creditledger.grant;

import dev.creditledger.account.AccountService;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.ledger.Book;
import dev.creditledger.ledger.BookStore;
import dev.creditledger.ledger.Outcome;
import dev.creditledger.ledger.Writes;
import dev.creditledger.plan.PlanCatalog;
import dev.creditledger.problem.CreditException;
import dev.creditledger.time.Instants;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** Bonus, promo, purchase and other grants beside the plan's allowance. */
@ApplicationScoped
public class GrantService {

    private final Writes writes;
    private final AccountService accounts;
    private final BookStore books;
    private final PlanCatalog plans;

    public GrantService(Writes writes, AccountService accounts, BookStore books, PlanCatalog plans) {
        this.writes = writes;
        this.accounts = accounts;
        this.books = books;
        this.plans = plans;
    }

    public Uni<Outcome> grant(String userId, GrantRequest request, IdempotencyKey key) {
        long tokens = plans.tokensOf(request.credits(), "credits");
        GrantSource source = request.source() == null ? GrantSource.bonus : request.source();
        if (source == GrantSource.allowance) {
            throw CreditException.invalid("source", "allowance grants come from the plan; use bonus, promo, purchase, loyalty, cohort or adjustment");
        }
        int priority = request.priority() == null ? Book.DEFAULT_PRIORITY : request.priority();
        Instant expiresAt = Instants.micros(request.expiresAt());
        return writes.run(userId, key, (conn, now) -> {
            if (expiresAt != null && !expiresAt.isAfter(now)) {
                throw CreditException.invalid("expiresAt", "must be in the future");
            }
            return accounts.locked(conn, userId, now, key).flatMap(book -> {
                CreditGrant grant = book.issue(source, tokens, priority, now, expiresAt, request.reason());
                book.maintain(now, plans);
                return books.flush(conn, book).replaceWith(() -> new Outcome.Result(201, GrantView.of(grant, plans)));
            });
        });
    }
}
