package dev.creditledger.account;

import dev.creditledger.api.Answer;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.catalog.SubscriptionTerms;
import dev.creditledger.domain.Account;
import dev.creditledger.domain.Actors;
import dev.creditledger.domain.LockedAccount;
import dev.creditledger.domain.Periods;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.store.GrantRepository;
import dev.creditledger.store.LockedAccounts;
import dev.creditledger.write.DueMaintenance;
import dev.creditledger.write.Transactions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** Sign-up and usage status. */
@ApplicationScoped
public class AccountService {

    private final Transactions transactions;
    private final LockedAccounts lockedAccounts;
    private final DueMaintenance maintenance;
    private final GrantRepository grants;
    private final PlanCatalog plans;

    public AccountService(Transactions transactions, LockedAccounts lockedAccounts, DueMaintenance maintenance, GrantRepository grants,
                          PlanCatalog plans) {
        this.transactions = transactions;
        this.lockedAccounts = lockedAccounts;
        this.maintenance = maintenance;
        this.grants = grants;
        this.plans = plans;
    }

    /** Creates the account with its tier's allowance (201), or answers the existing one (200). */
    public Uni<Answer> open(String userId, OpenAccountRequest body, IdempotencyKey key) {
        String tier = body.tier() == null ? plans.defaultTier() : body.tier();
        plans.allowanceTokens(tier);
        return transactions.write(userId, key, now -> {
            Instant endsAt = SubscriptionTerms.endsAt(body.subscriptionDays(), "subscriptionDays", body.subscriptionEndsAt(),
                    "subscriptionEndsAt", now, tier.equals(plans.defaultTier()));
            return lockedAccounts.insertIfAbsent(newAccount(userId, tier, now))
                    .flatMap(created -> created == null
                            ? existing(userId, now)
                            : opened(created, tier, endsAt, now, key));
        });
    }

    private Uni<Answer.Result> opened(Account account, String tier, Instant endsAt, Instant now,
                                      IdempotencyKey key) {
        LockedAccount opened = new LockedAccount(account, List.of(), Actors.API);
        opened.recordKey(key == null ? null : key.value());
        opened.changeTier(tier, now, endsAt, plans);
        opened.maintain(now, plans);
        return lockedAccounts.write(opened).replaceWith(() -> new Answer.Result(201, view(opened)));
    }

    private Uni<Answer.Result> existing(String userId, Instant now) {
        return maintenance.applyAndWrite(userId, now, Actors.API).map(account -> new Answer.Result(200, view(account)));
    }

    /** Usage status; an overdue reset or expiry is applied first, so a late scheduler changes nothing visible. */
    public Uni<AccountView> status(String userId) {
        return maintenance.upToDate(userId)
                .flatMap(account -> grants.openGrants(userId).map(open -> AccountView.of(account, open, plans)));
    }

    public AccountView view(LockedAccount account) {
        return AccountView.of(account.account(), account.openGrants(), plans);
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
