package dev.creditledger.subscription;

import dev.creditledger.account.AccountService;
import dev.creditledger.api.Answer;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.catalog.SubscriptionTerms;
import dev.creditledger.domain.Account;
import dev.creditledger.domain.Actors;
import dev.creditledger.domain.LockedAccount;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.store.LockedAccounts;
import dev.creditledger.write.DueMaintenance;
import dev.creditledger.write.Transactions;
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

    private final Transactions transactions;
    private final DueMaintenance maintenance;
    private final LockedAccounts lockedAccounts;
    private final AccountService accounts;
    private final PlanCatalog plans;

    public SubscriptionService(Transactions transactions, DueMaintenance maintenance, LockedAccounts lockedAccounts,
                               AccountService accounts, PlanCatalog plans) {
        this.transactions = transactions;
        this.maintenance = maintenance;
        this.lockedAccounts = lockedAccounts;
        this.accounts = accounts;
        this.plans = plans;
    }

    public Uni<Answer> change(String userId, SubscriptionRequest request, IdempotencyKey key) {
        plans.allowanceTokens(request.tier());
        boolean toDefault = request.tier().equals(plans.defaultTier());
        return transactions.write(userId, key, now -> maintenance.lockAndApply(userId, now, key, Actors.API)
                .flatMap(locked -> {
                    Account account = locked.account();
                    boolean renewal = account.tier.equals(request.tier()) && !toDefault;
                    Instant from = renewal && account.subscriptionEndsAt != null && account.subscriptionEndsAt.isAfter(now)
                            ? account.subscriptionEndsAt : now;
                    Instant endsAt = SubscriptionTerms.endsAt(request.days(), "days", request.endsAt(), "endsAt", from, toDefault);
                    if (account.tier.equals(request.tier())) {
                        locked.setSubscriptionEnd(endsAt, now);
                    } else {
                        locked.changeTier(request.tier(), now, endsAt, plans);
                    }
                    return finish(locked, now);
                }));
    }

    /** Downgrade to the default tier now, or at the end of the current period. */
    public Uni<Answer> cancel(String userId, boolean atPeriodEnd, IdempotencyKey key) {
        return transactions.write(userId, key, now -> maintenance.lockAndApply(userId, now, key, Actors.API)
                .flatMap(locked -> {
                    Account account = locked.account();
                    if (!account.tier.equals(plans.defaultTier())) {
                        if (atPeriodEnd) {
                            if (account.subscriptionEndsAt == null || account.subscriptionEndsAt.isAfter(account.periodEnd)) {
                                locked.setSubscriptionEnd(account.periodEnd, now);
                            }
                        } else {
                            locked.changeTier(plans.defaultTier(), now, null, plans);
                        }
                    }
                    return finish(locked, now);
                }));
    }

    private Uni<Answer.Result> finish(LockedAccount locked, Instant now) {
        locked.maintain(now, plans);
        return lockedAccounts.write(locked).replaceWith(() -> new Answer.Result(200, accounts.view(locked)));
    }
}
