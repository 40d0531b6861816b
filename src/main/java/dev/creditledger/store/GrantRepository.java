package dev.creditledger.store;

import dev.creditledger.domain.CreditGrant;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Reads of grants. */
@ApplicationScoped
@WithSession
public class GrantRepository implements PanacheRepositoryBase<CreditGrant, CreditGrant.Key> {

    /** Grants that still hold tokens (in no particular order: {@link dev.creditledger.domain.DrawOrder} sorts them). */
    public Uni<List<CreditGrant>> openGrants(String userId) {
        return list("accountId = ?1 and remaining > 0", userId);
    }
}
