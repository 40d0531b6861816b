package dev.creditledger.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An account as loaded under its row lock, with its open grants and holds, and the changes made to
 * it in memory; the store writes them back in the same transaction. This is the domain's account
 * aggregate: every rule of maintenance lives here (docs/design.md, rules M4 to M8). Every change of balance goes through {@link #issue} or {@link #expire}, and
 * every change of the held amount through {@link #maintain}'s hold expiry and fitting, which write
 * the matching ledger entry, so balance, held amount, grants, holds and ledger cannot drift apart.
 */
public final class LockedAccount {

    private static final System.Logger LOG = System.getLogger(LockedAccount.class.getName());

    /** Priority of allowance grants and the default of every other grant. */
    public static final int DEFAULT_PRIORITY = 100;

    private final Account account;
    private final List<CreditGrant> openGrants;
    private final List<CreditGrant> newGrants = new ArrayList<>();
    private final Set<CreditGrant> changedGrants = new LinkedHashSet<>();
    private final List<Reservation> openHolds;
    private final Set<Reservation> changedHolds = new LinkedHashSet<>();
    private final List<PendingEntry> entries = new ArrayList<>();
    private final String actor;
    private String idempotencyKey;

    public LockedAccount(Account account, List<CreditGrant> openGrants, String actor) {
        this(account, openGrants, List.of(), actor);
    }

    public LockedAccount(Account account, List<CreditGrant> openGrants, List<Reservation> openHolds, String actor) {
        this.account = account;
        this.openGrants = new ArrayList<>(openGrants);
        this.openHolds = new ArrayList<>(openHolds);
        this.actor = actor;
    }

    /**
     * The key of the request whose own changes follow: entries written from here on carry it.
     * Maintenance applied before (resets, expiries) is not the request's effect and carries none.
     */
    public void recordKey(String idempotencyKey) {
        this.idempotencyKey = idempotencyKey;
    }

    public Account account() {
        return account;
    }

    /** Grants that still hold tokens, the new ones included. */
    public List<CreditGrant> openGrants() {
        return List.copyOf(openGrants);
    }

    /** Adds a grant of {@code amount} tokens, effective at {@code at}, and its ledger entry. */
    public CreditGrant issue(GrantSource source, long amount, int priority, Instant at, Instant expiresAt, String reason) {
        CreditGrant grant = new CreditGrant();
        grant.accountId = account.accountId;
        grant.source = source;
        grant.amount = amount;
        grant.remaining = amount;
        grant.priority = priority;
        grant.effectiveAt = at;
        grant.expiresAt = expiresAt;
        grant.reason = reason;
        grant.createdAt = at;
        newGrants.add(grant);
        openGrants.add(grant);
        account.balance += amount;
        touch(at);
        entries.add(new PendingEntry(EntryKind.grant, amount, account.balance, grant, reason, at, idempotencyKey, null, 0));
        return grant;
    }

    /** Expires what is left of a grant at {@code at}. */
    public void expire(CreditGrant grant, Instant at, String reason) {
        long left = grant.remaining;
        openGrants.remove(grant);
        if (left == 0) {
            return;
        }
        grant.expired += left;
        grant.remaining = 0;
        if (grant.grantId != null) {
            changedGrants.add(grant);
        }
        account.balance -= left;
        touch(at);
        entries.add(new PendingEntry(EntryKind.expire, -left, account.balance, grant, reason, at, idempotencyKey, null, 0));
    }

    /**
     * Moves the account to {@code tier} at {@code at}: the old allowance's remainder expires and a
     * new period starts with the new tier's full allowance.
     */
    public void changeTier(String tier, Instant at, Instant subscriptionEndsAt, Plans plans) {
        for (CreditGrant grant : List.copyOf(openGrants)) {
            if (grant.source == GrantSource.allowance) {
                expire(grant, at, "tier change to " + tier);
            }
        }
        account.tier = tier;
        account.subscriptionEndsAt = tier.equals(plans.defaultTier()) ? null : subscriptionEndsAt;
        startPeriod(at, at, Periods.boundary(at, 1), plans);
        account.periodAnchor = at;
    }

    public void setSubscriptionEnd(Instant endsAt, Instant at) {
        account.subscriptionEndsAt = endsAt;
        touch(at);
    }

    private void startPeriod(Instant issuedAt, Instant start, Instant end, Plans plans) {
        if (!plans.isKnownTier(account.tier)) {
            LOG.log(System.Logger.Level.WARNING, "Account {0} is on tier ''{1}'', which is no longer configured: it falls to ''{2}''",
                    account.accountId, account.tier, plans.defaultTier());
            account.tier = plans.defaultTier();
            account.subscriptionEndsAt = null;
        }
        account.periodStart = start;
        account.periodEnd = end;
        account.monthlyTokensUsed = 0;
        touch(issuedAt);
        long allowance = plans.allowanceTokens(account.tier);
        if (allowance > 0) {
            issue(GrantSource.allowance, allowance, DEFAULT_PRIORITY, issuedAt, end, account.tier + " allowance");
        }
    }

    /**
     * Applies, in time order, every event due at or before {@code now}: hold expiries, grant
     * expiries, subscription expiry (fall to the default tier) and period resets. Several missed
     * periods catch up in one step; only the current allowance is issued. After the events of each
     * instant (and once more at the end, for a change the caller made before), when the balance has
     * fallen below the held amount the open holds shrink to fit ({@link #fitHolds}): in time order,
     * so the lazy path and a scheduler that ran in between leave the same holds.
     */
    public void maintain(Instant now, Plans plans) {
        Instant lastEvent = null;
        while (true) {
            Instant holdExpiry = Schedule.earliestHoldExpiry(openHolds);
            Instant grantExpiry = Schedule.earliestGrantExpiry(openGrants);
            Instant subscriptionEnd = Schedule.paidSubscriptionEnd(account.tier, account.subscriptionEndsAt, plans);
            Instant event = Stream.of(holdExpiry, grantExpiry, subscriptionEnd, account.periodEnd)
                    .filter(Objects::nonNull).min(Comparator.naturalOrder()).orElseThrow();
            if (lastEvent != null && event.isAfter(lastEvent)) {
                // Every event of the instant lastEvent is applied (an allowance's expiry and the
                // reset that issues the next one fall on the same instant): fit the holds there.
                fitHolds(lastEvent);
            }
            if (event.isAfter(now)) {
                break;
            }
            lastEvent = event;
            if (event.equals(holdExpiry)) {
                for (Reservation hold : List.copyOf(openHolds)) {
                    if (hold.expiresBy(event)) {
                        resolveHold(hold, ReservationStatus.expired, hold.expiresAt, "reservation expired");
                    }
                }
            } else if (event.equals(grantExpiry)) {
                for (CreditGrant grant : List.copyOf(openGrants)) {
                    if (grant.expiresBy(event)) {
                        expire(grant, grant.expiresAt, grant.source == GrantSource.allowance ? "period end" : "grant expired");
                    }
                }
            } else if (event.equals(subscriptionEnd)) {
                Instant at = event.isBefore(account.periodStart) ? account.periodStart : event;
                changeTier(plans.defaultTier(), at, null, plans);
            } else {
                // Catch up to the period in force just before the next other event (or now), so
                // that event is then applied in its own period, in time order.
                Instant nextOther = Stream.of(holdExpiry, grantExpiry, subscriptionEnd).filter(Objects::nonNull)
                        .min(Comparator.naturalOrder()).orElse(null);
                Instant until = nextOther != null && !nextOther.isAfter(now) ? nextOther.minus(1, ChronoUnit.MICROS) : now;
                long n = Periods.indexOfEndAfter(account.periodAnchor, until);
                Instant start = Periods.boundary(account.periodAnchor, n - 1);
                startPeriod(start, start, Periods.boundary(account.periodAnchor, n), plans);
            }
        }
        fitHolds(lastEvent == null ? now : lastEvent);
        account.nextMaintenanceAt = Schedule.nextMaintenanceAt(account, openGrants, openHolds, plans);
    }

    /** Ends an open hold: its held tokens count as available again. The balance does not move. */
    private void resolveHold(Reservation hold, ReservationStatus status, Instant at, String reason) {
        openHolds.remove(hold);
        changedHolds.add(hold);
        long released = hold.held;
        hold.status = status;
        hold.held = 0;
        hold.resolvedAt = at;
        account.held -= released;
        account.openReservations -= 1;
        touch(at);
        entries.add(new PendingEntry(EntryKind.release, 0, account.balance, null, reason, at, idempotencyKey, hold, -released));
    }

    /**
     * Keeps invariant 4 (held never above balance) when an expiry or a tier change has taken
     * tokens the open holds were counting on: the newest holds shrink first, each by a shrink
     * entry of the part it loses. A shrunk hold stays open; its settle charges what it still holds
     * plus whatever is available then.
     */
    private void fitHolds(Instant at) {
        long excess = account.held - account.balance;
        List<Reservation> newestFirst = openHolds.stream()
                .sorted(Comparator.comparing((Reservation r) -> r.reservationId).reversed()).toList();
        for (Reservation hold : newestFirst) {
            if (excess <= 0) {
                return;
            }
            long cut = Math.min(hold.held, excess);
            if (cut == 0) {
                continue;
            }
            hold.held -= cut;
            changedHolds.add(hold);
            account.held -= cut;
            excess -= cut;
            touch(at);
            entries.add(new PendingEntry(EntryKind.shrink, 0, account.balance, null,
                    "balance fell below the held amount", at, idempotencyKey, hold, -cut));
        }
        if (excess > 0) {
            throw new IllegalStateException("account " + account.accountId + " holds " + account.held
                    + " tokens that no open reservation accounts for");
        }
    }

    private void touch(Instant at) {
        if (account.updatedAt == null || at.isAfter(account.updatedAt)) {
            account.updatedAt = at;
        }
    }

    public List<CreditGrant> newGrants() {
        return newGrants;
    }

    public Set<CreditGrant> changedGrants() {
        return changedGrants;
    }

    public List<PendingEntry> entries() {
        return entries;
    }

    public Set<Reservation> changedHolds() {
        return changedHolds;
    }

    public String actor() {
        return actor;
    }

    /**
     * A ledger entry waiting for its grant's id, known once the grant is inserted. An entry of a
     * hold names its reservation (and no grant) and the signed change of the held amount.
     */
    public record PendingEntry(EntryKind kind, long amount, long balanceAfter, CreditGrant grant, String reason, Instant at,
                        String idempotencyKey, Reservation hold, long heldChange) {
    }
}
