package dev.creditledger.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.api.Cursors;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.store.LedgerEntry;
import dev.creditledger.store.LedgerRepository;
import dev.creditledger.write.DueMaintenance;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Pages through an account's ledger. */
@ApplicationScoped
public class LedgerService {

    private final DueMaintenance maintenance;
    private final LedgerRepository ledger;
    private final PlanCatalog plans;
    private final ObjectMapper mapper;

    public LedgerService(DueMaintenance maintenance, LedgerRepository ledger, PlanCatalog plans, ObjectMapper mapper) {
        this.maintenance = maintenance;
        this.ledger = ledger;
        this.plans = plans;
        this.mapper = mapper;
    }

    public Uni<LedgerPage> page(String userId, int limit, String cursor) {
        Long before = Cursors.entryId(cursor);
        return maintenance.upToDate(userId)
                .flatMap(account -> ledger.page(userId, before, limit + 1))
                .map(entries -> {
                    Cursors.Slice<LedgerEntry> page = Cursors.Slice.of(entries, limit, e -> e.entryId);
                    return new LedgerPage(page.items().stream().map(e -> LedgerEntryView.of(e, plans, mapper)).toList(),
                            page.nextCursor());
                });
    }
}
