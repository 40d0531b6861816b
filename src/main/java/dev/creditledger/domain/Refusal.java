package dev.creditledger.domain;

import java.time.Instant;

/**
 * Why the ledger refused to move credits, in domain terms (docs/design.md, rules W1 and W2). The
 * HTTP edge alone (problem/Refusals.java, called by ProblemMappers) turns a refusal into a status, a problem body and Retry-After.
 */
public sealed interface Refusal permits Refusal.InsufficientCredits, Refusal.TooManyReservations {

    /** The instant the refusal was decided at, from which a retry time counts. */
    Instant at();

    /**
     * The account cannot cover {@code requiredTokens}. {@code refillAt} is the next refill when its
     * allowance alone would cover them, else null.
     */
    record InsufficientCredits(long availableTokens, long requiredTokens, Instant periodEnd, Instant refillAt, Instant at)
            implements Refusal {

        public static InsufficientCredits of(AccountSnapshot account, long requiredTokens, Instant now, Plans plans) {
            Schedule.Refill refill = Schedule.nextRefill(account.tier(), account.subscriptionEndsAt(), account.periodEnd(), plans);
            return new InsufficientCredits(account.available(), requiredTokens, account.periodEnd(),
                    refill.tokens() >= requiredTokens ? refill.at() : null, now);
        }
    }

    /** The account has {@code maxOpen} open reservations; {@code retryAt} is when the first of them expires. */
    record TooManyReservations(int openReservations, int maxOpen, Instant retryAt, Instant at) implements Refusal {
    }
}
