package dev.creditledger.store;

import static dev.creditledger.sql.Sql.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.domain.Account;
import dev.creditledger.domain.LockedAccount;
import dev.creditledger.domain.Reservation;
import dev.creditledger.sql.Sql;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * Locks an account row and loads it with its open grants and holds as a {@link LockedAccount}, in
 * the current Hibernate Reactive transaction, and writes its changes back: the loaded entities are
 * managed, so Hibernate writes what the domain changed in them at the flush; new grants and the
 * ledger entries are persisted. The account row lock serializes every writer of the account's
 * grants and holds.
 */
@ApplicationScoped
public class LockedAccounts {

    private final AccountRepository accounts;
    private final GrantRepository grants;
    private final ReservationRepository reservations;
    private final LedgerRepository ledger;
    private final ObjectMapper mapper;

    public LockedAccounts(AccountRepository accounts, GrantRepository grants, ReservationRepository reservations,
                          LedgerRepository ledger, ObjectMapper mapper) {
        this.accounts = accounts;
        this.grants = grants;
        this.reservations = reservations;
        this.ledger = ledger;
        this.mapper = mapper;
    }

    /** Locks the account row and loads it with its open grants and holds; null when there is no such account. */
    public Uni<LockedAccount> lock(String userId, String actor) {
        return accounts.lock(userId).flatMap(account -> account == null ? Uni.createFrom().nullItem() : loaded(account, actor));
    }

    private Uni<LockedAccount> loaded(Account account, String actor) {
        Uni<List<Reservation>> holds = account.openReservations == 0
                ? Uni.createFrom().item(List.of())
                : reservations.openHolds(account.accountId);
        return grants.openGrants(account.accountId).flatMap(open -> holds.map(h -> new LockedAccount(account, open, h, actor)));
    }

    /**
     * Inserts a new account row and locks it; null when the account already exists (nothing is
     * changed then). An insert that may meet a concurrent sign-up cannot be a plain persist: its
     * unique violation would abort the transaction, so it is {@code on conflict do nothing}.
     */
    public Uni<Account> insertIfAbsent(Account a) {
        return Sql.session().update("insert into account (account_id, tier, period_anchor, period_start, period_end, "
                                + "next_maintenance_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8) "
                                + "on conflict (account_id) do nothing",
                        a.accountId, a.tier, utc(a.periodAnchor), utc(a.periodStart), utc(a.periodEnd), utc(a.nextMaintenanceAt),
                        utc(a.createdAt), utc(a.updatedAt))
                .flatMap(inserted -> inserted == 1 ? accounts.lock(a.accountId) : Uni.createFrom().nullItem());
    }

    /** Writes every change the locked account holds: new grants, then the ledger entries, then the flush of the rest. */
    public Uni<Void> write(LockedAccount locked) {
        WrittenAccounts.add(locked);
        return Multi.createFrom().iterable(locked.newGrants())
                .onItem().transformToUniAndConcatenate(grants::persist)
                .collect().last()
                .chain(() -> Multi.createFrom().iterable(locked.entries())
                        .onItem().transformToUniAndConcatenate(e -> ledger.persist(entry(locked, e)))
                        .collect().last())
                .chain(() -> Panache.getSession().chain(session -> session.flush()));
    }

    private LedgerEntry entry(LockedAccount locked, LockedAccount.PendingEntry e) {
        LedgerEntry entry = new LedgerEntry();
        entry.accountId = locked.account().accountId;
        entry.kind = e.kind();
        entry.amount = e.amount();
        entry.balanceAfter = e.balanceAfter();
        entry.grantsJson = json(e.grant() == null ? List.of() : List.of(Map.of("grantId", e.grant().grantId, "amount", Math.abs(e.amount()))));
        entry.idempotencyKey = e.idempotencyKey();
        entry.actor = locked.actor();
        entry.reason = e.reason();
        entry.createdAt = e.at();
        Reservation hold = e.hold();
        entry.reservationId = hold == null ? null : hold.reservationId;
        entry.heldChange = e.heldChange();
        entry.feature = hold == null ? null : hold.feature;
        return entry;
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a ledger entry's grants", e);
        }
    }
}
