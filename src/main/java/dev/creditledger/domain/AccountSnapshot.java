package dev.creditledger.domain;

import java.time.Instant;

/** What a refused guarded write reports of the unchanged account: enough to say why and when to retry. */
public record AccountSnapshot(long balance, long held, String tier, Instant subscriptionEndsAt, Instant periodEnd) {

    public long available() {
        return balance - held;
    }
}
