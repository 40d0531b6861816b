package dev.creditledger.store;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Reads of the ledger, newest first. */
@ApplicationScoped
@WithSession
public class LedgerRepository implements PanacheRepositoryBase<LedgerEntry, LedgerEntry.Key> {

    /** Up to {@code limit} entries older than {@code beforeEntryId} (all when null), newest first. */
    public Uni<List<LedgerEntry>> page(String userId, Long beforeEntryId, int limit) {
        if (beforeEntryId == null) {
            return find("accountId = ?1 order by entryId desc", userId).page(Page.ofSize(limit)).list();
        }
        return find("accountId = ?1 and entryId < ?2 order by entryId desc", userId, beforeEntryId).page(Page.ofSize(limit)).list();
    }
}
