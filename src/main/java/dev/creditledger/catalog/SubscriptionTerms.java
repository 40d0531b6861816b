package dev.creditledger.catalog;

import dev.creditledger.problem.CreditException;
import java.time.Duration;
import java.time.Instant;

/** The end of a subscription from {@code days} or an explicit {@code endsAt}; never both. */
public final class SubscriptionTerms {

    private SubscriptionTerms() {
    }

    /**
     * @param from the instant {@code days} count from
     * @param defaultTier true when the tier is the default one, which has no subscription to end
     */
    public static Instant endsAt(Integer days, String daysField, Instant endsAt, String endsAtField, Instant from, boolean defaultTier) {
        if (days != null && endsAt != null) {
            throw CreditException.invalid(daysField, "give either " + daysField + " or " + endsAtField + ", not both");
        }
        if (defaultTier && (days != null || endsAt != null)) {
            throw CreditException.invalid(days != null ? daysField : endsAtField, "only a paid tier has a subscription end");
        }
        if (days != null) {
            return from.plus(Duration.ofDays(days));
        }
        return endsAt == null ? null : dev.creditledger.time.Instants.micros(endsAt);
    }
}
