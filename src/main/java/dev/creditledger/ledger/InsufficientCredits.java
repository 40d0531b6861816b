package dev.creditledger.ledger;

import dev.creditledger.account.Account;
import dev.creditledger.plan.PlanCatalog;
import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;

/**
 * The 429 of a debit or a hold the account cannot cover, with the seed's fields, and Retry-After
 * when the next refill (period reset, or the fall to the default tier) would cover the cost.
 */
@ApplicationScoped
public class InsufficientCredits {

    private final PlanCatalog plans;

    public InsufficientCredits(PlanCatalog plans) {
        this.plans = plans;
    }

    /** {@code account} needs balance, held, tier, subscription end and period end. */
    public CreditException refusal(Account account, long cost, Instant now) {
        long available = account.available();
        CreditException e = new CreditException(ErrorCode.INSUFFICIENT_CREDITS,
                "You have " + plans.credits(available).toPlainString() + " credits remaining (" + available + " tokens)")
                .with("error", "Insufficient credits")
                .with("remainingCredits", plans.credits(available))
                .with("maxTokens", available)
                .with("requiredTokens", cost)
                .with("requiredCredits", plans.credits(cost))
                .with("monthlyResetDate", account.periodEnd.toString());
        boolean paidEndsFirst = account.subscriptionEndsAt != null && !account.tier.equals(plans.defaultTier())
                && !account.subscriptionEndsAt.isAfter(account.periodEnd);
        Instant refill = paidEndsFirst ? account.subscriptionEndsAt : account.periodEnd;
        String tierAfter = paidEndsFirst || !plans.isKnownTier(account.tier) ? plans.defaultTier() : account.tier;
        if (plans.allowanceTokens(tierAfter) >= cost) {
            e.header("Retry-After", Long.toString(secondsUntil(now, refill)));
        }
        return e;
    }

    /** Whole seconds from {@code now} until {@code then}, rounded up, at least 1: a Retry-After value. */
    public static long secondsUntil(Instant now, Instant then) {
        return Math.max(1, Duration.between(now, then).toMillis() / 1000 + 1);
    }
}
