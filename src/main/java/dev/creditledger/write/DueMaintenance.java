package dev.creditledger.write;

import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.Account;
import dev.creditledger.domain.Actors;
import dev.creditledger.domain.LockedAccount;
import dev.creditledger.domain.Schedule;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.problem.CreditException;
import dev.creditledger.store.AccountRepository;
import dev.creditledger.store.LockedAccounts;
import dev.creditledger.time.Instants;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;

/**
 * Lazy maintenance (docs/design.md, rule M9): whatever is due on an account (a period reset, an
 * expiry) is applied under its row lock before anything reads or changes it, so a late or
 * stopped scheduler changes nothing a client can observe. The scheduler runs the same code.
 */
@ApplicationScoped
public class DueMaintenance {

    private final LockedAccounts lockedAccounts;
    private final AccountRepository accounts;
    private final Transactions transactions;
    private final PlanCatalog plans;
    private final Clock clock;

    public DueMaintenance(LockedAccounts lockedAccounts, AccountRepository accounts, Transactions transactions, PlanCatalog plans,
                          Clock clock) {
        this.lockedAccounts = lockedAccounts;
        this.accounts = accounts;
        this.transactions = transactions;
        this.plans = plans;
        this.clock = clock;
    }

    /**
     * Locks the account and applies what is due, in memory: the caller makes its own changes
     * (their entries carry {@code key}, when given) and writes once. 404 when there is no such account.
     */
    public Uni<LockedAccount> lockAndApply(String userId, Instant now, IdempotencyKey key, String actor) {
        return lockedAccounts.lock(userId, actor).map(account -> {
            if (account == null) {
                throw CreditException.accountNotFound(userId);
            }
            account.maintain(now, plans);
            account.recordKey(key == null ? null : key.value());
            return account;
        });
    }

    /** Locks the account, applies what is due and writes it (in the caller's transaction): the slow path of every guarded write. */
    public Uni<LockedAccount> applyAndWrite(String userId, Instant now, String actor) {
        return lockAndApply(userId, now, null, actor).call(lockedAccounts::write);
    }

    /** The account as of now, for reads: when maintenance is due it is applied (and written) first. 404 when none. */
    public Uni<Account> upToDate(String userId) {
        Instant now = Instants.now(clock);
        return accounts.findAccount(userId).flatMap(account -> {
            if (account == null) {
                return Uni.createFrom().failure(CreditException.accountNotFound(userId));
            }
            if (!Schedule.isDue(account.nextMaintenanceAt, now)) {
                return Uni.createFrom().item(account);
            }
            return transactions.inTransaction(() -> applyAndWrite(userId, now, Actors.API))
                    .map(LockedAccount::account);
        });
    }
}
