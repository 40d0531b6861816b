package dev.creditledger.grant;

import dev.creditledger.api.Answer;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.Actors;
import dev.creditledger.domain.CreditGrant;
import dev.creditledger.domain.GrantSource;
import dev.creditledger.domain.LockedAccount;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.problem.CreditException;
import dev.creditledger.store.LockedAccounts;
import dev.creditledger.time.Instants;
import dev.creditledger.write.DueMaintenance;
import dev.creditledger.write.Transactions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** Bonus, promo, purchase and other grants beside the plan's allowance. */
@ApplicationScoped
public class GrantService {

    private final Transactions transactions;
    private final DueMaintenance maintenance;
    private final LockedAccounts lockedAccounts;
    private final PlanCatalog plans;

    public GrantService(Transactions transactions, DueMaintenance maintenance, LockedAccounts lockedAccounts, PlanCatalog plans) {
        this.transactions = transactions;
        this.maintenance = maintenance;
        this.lockedAccounts = lockedAccounts;
        this.plans = plans;
    }

    public Uni<Answer> grant(String userId, GrantRequest request, IdempotencyKey key) {
        long tokens = plans.tokensOf(request.credits(), "credits");
        GrantSource source = request.source() == null ? GrantSource.bonus : request.source();
        if (source == GrantSource.allowance) {
            throw CreditException.invalid("source", "allowance grants come from the plan; use bonus, promo, purchase, loyalty, cohort or adjustment");
        }
        int priority = request.priority() == null ? LockedAccount.DEFAULT_PRIORITY : request.priority();
        Instant expiresAt = Instants.micros(request.expiresAt());
        return transactions.write(userId, key, now -> {
            if (expiresAt != null && !expiresAt.isAfter(now)) {
                throw CreditException.invalid("expiresAt", "must be in the future");
            }
            return maintenance.lockAndApply(userId, now, key, Actors.API).flatMap(account -> {
                CreditGrant grant = account.issue(source, tokens, priority, now, expiresAt, request.reason());
                account.maintain(now, plans);
                return lockedAccounts.write(account).replaceWith(() -> new Answer.Result(201, GrantView.of(grant, plans)));
            });
        }); // its tokens are counted with every other grant once the transaction commits (Transactions, CreditMetrics.committed)
    }
}
