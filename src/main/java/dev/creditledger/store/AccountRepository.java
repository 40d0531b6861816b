package dev.creditledger.store;

import dev.creditledger.domain.Account;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads of accounts. Every write goes through {@link dev.creditledger.store.LockedAccounts} under a row lock. */
@ApplicationScoped
@WithSession
public class AccountRepository implements PanacheRepositoryBase<Account, String> {

    public Uni<Account> findAccount(String userId) {
        return findById(userId);
    }
}
