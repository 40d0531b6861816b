package dev.creditledger.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * When an account next needs maintenance, whether it is due, and when it is next refilled: the
 * one home of these rules (docs/design.md, rules M1 to M3).
 */
public final class Schedule {

    private Schedule() {
    }

    /** Maintenance is due once its instant has come: the guarded writes test {@code next_maintenance_at > now}. */
    public static boolean isDue(Instant nextMaintenanceAt, Instant now) {
        return !nextMaintenanceAt.isAfter(now);
    }

    /** The subscription end that will move the account to the default tier, or null (on the default tier, or no end). */
    public static Instant paidSubscriptionEnd(String tier, Instant subscriptionEndsAt, Plans plans) {
        return tier.equals(plans.defaultTier()) ? null : subscriptionEndsAt;
    }

    /**
     * The earliest instant at which a due event falls: the period end, the end of a paid
     * subscription, the expiry of a grant that still holds tokens, or the expiry of an open hold.
     */
    public static Instant nextMaintenanceAt(Account account, Collection<CreditGrant> openGrants, Collection<Reservation> openHolds,
                                            Plans plans) {
        return Stream.of(earliestHoldExpiry(openHolds), earliestGrantExpiry(openGrants),
                        paidSubscriptionEnd(account.tier, account.subscriptionEndsAt, plans), account.periodEnd)
                .filter(Objects::nonNull).min(Comparator.naturalOrder()).orElseThrow();
    }

    static Instant earliestHoldExpiry(Collection<Reservation> openHolds) {
        return openHolds.stream().map(r -> r.expiresAt).min(Comparator.naturalOrder()).orElse(null);
    }

    static Instant earliestGrantExpiry(Collection<CreditGrant> openGrants) {
        return openGrants.stream().filter(g -> g.remaining > 0).map(g -> g.expiresAt).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
    }

    /** The next refill of an account: when it comes and how many tokens its new allowance brings. */
    public record Refill(Instant at, long tokens) {
    }

    /**
     * The next refill, as {@link LockedAccount#maintain} will apply it: the period reset (the same
     * tier's allowance), or, when a paid subscription ends first, the fall to the default tier and
     * its allowance. A tier no longer configured falls to the default tier at its next reset.
     */
    public static Refill nextRefill(String tier, Instant subscriptionEndsAt, Instant periodEnd, Plans plans) {
        Instant paidEnd = paidSubscriptionEnd(tier, subscriptionEndsAt, plans);
        boolean paidEndsFirst = paidEnd != null && !paidEnd.isAfter(periodEnd);
        Instant at = paidEndsFirst ? paidEnd : periodEnd;
        String tierAfter = paidEndsFirst || !plans.isKnownTier(tier) ? plans.defaultTier() : tier;
        return new Refill(at, plans.allowanceTokens(tierAfter));
    }
}
