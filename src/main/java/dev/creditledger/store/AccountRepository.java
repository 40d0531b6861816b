package dev.creditledger.store;

import dev.creditledger.domain.Account;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/** Accounts. Every write of one goes through {@link LockedAccounts} under its row lock, or through {@link GuardedUpdates}. */
@ApplicationScoped
@WithSession
public class AccountRepository implements PanacheRepositoryBase<Account, String> {

    public Uni<Account> findAccount(String userId) {
        return findById(userId);
    }

    /** The account with its row locked until the transaction ends ({@code select ... for update}); null when none. */
    public Uni<Account> lock(String userId) {
        return findById(userId, LockModeType.PESSIMISTIC_WRITE);
    }
}
