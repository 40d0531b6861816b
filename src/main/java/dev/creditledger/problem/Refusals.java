package dev.creditledger.problem;

import dev.creditledger.domain.Plans;
import dev.creditledger.domain.Refusal;
import java.time.Duration;
import java.time.Instant;

/**
 * The HTTP face of the domain's refusals: status, problem fields (the seed's, for insufficient
 * credits) and Retry-After (docs/design.md, rules W1, W2 and A3).
 */
public final class Refusals {

    private Refusals() {
    }

    public static CreditException problem(Refusal refusal, Plans plans) {
        if (refusal instanceof Refusal.InsufficientCredits r) {
            long available = r.availableTokens();
            CreditException e = new CreditException(ErrorCode.INSUFFICIENT_CREDITS,
                    "You have " + plans.credits(available).toPlainString() + " credits remaining (" + available + " tokens)")
                    .with("error", "Insufficient credits")
                    .with("remainingCredits", plans.credits(available))
                    .with("maxTokens", available)
                    .with("requiredTokens", r.requiredTokens())
                    .with("requiredCredits", plans.credits(r.requiredTokens()))
                    .with("monthlyResetDate", r.periodEnd().toString());
            return r.refillAt() == null ? e : e.header("Retry-After", Long.toString(secondsUntil(r.at(), r.refillAt())));
        }
        Refusal.TooManyReservations r = (Refusal.TooManyReservations) refusal;
        CreditException e = new CreditException(ErrorCode.TOO_MANY_RESERVATIONS, "The account has " + r.openReservations()
                + " open reservations, the most it may have; settle or release one first")
                .with("openReservations", r.openReservations())
                .with("maxOpenReservations", r.maxOpen());
        return r.retryAt() == null ? e : e.header("Retry-After", Long.toString(secondsUntil(r.at(), r.retryAt())));
    }

    /** Whole seconds from {@code now} until {@code then}, cut down, plus one (a retry after that long is past {@code then}): a Retry-After value. */
    static long secondsUntil(Instant now, Instant then) {
        return Math.max(1, Duration.between(now, then).toMillis() / 1000 + 1);
    }
}
