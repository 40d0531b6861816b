package dev.creditledger.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.account.AccountService;
import dev.creditledger.plan.PlanCatalog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Pages through an account's ledger. */
@ApplicationScoped
public class LedgerService {

    private final AccountService accounts;
    private final LedgerRepository ledger;
    private final PlanCatalog plans;
    private final ObjectMapper mapper;

    public LedgerService(AccountService accounts, LedgerRepository ledger, PlanCatalog plans, ObjectMapper mapper) {
        this.accounts = accounts;
        this.ledger = ledger;
        this.plans = plans;
        this.mapper = mapper;
    }

    public Uni<LedgerPage> page(String userId, int limit, String cursor) {
        Long before = Cursors.entryId(cursor);
        return accounts.current(userId)
                .flatMap(account -> ledger.page(userId, before, limit + 1))
                .map(entries -> {
                    Cursors.Slice<LedgerEntry> page = Cursors.Slice.of(entries, limit, e -> e.entryId);
                    return new LedgerPage(page.items().stream().map(e -> LedgerEntryView.of(e, plans, mapper)).toList(),
                            page.nextCursor());
                });
    }
}
