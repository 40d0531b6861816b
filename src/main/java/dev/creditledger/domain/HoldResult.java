package dev.creditledger.domain;

import java.time.Instant;

/** What one guarded hold did; the database says which ({@code hold_credits}'s outcome column). */
public sealed interface HoldResult permits HoldResult.Held, HoldResult.Insufficient, HoldResult.TooManyOpen, MaintenanceDue,
        NoAccount {

    /** Held: the new reservation's id and the account's balance and held amount after it. */
    record Held(long reservationId, long balance, long held) implements HoldResult {
    }

    /** Too few credits available; nothing changed. */
    record Insufficient(AccountSnapshot account) implements HoldResult {
    }

    /** The account (of this tier) already has the most open holds it may have; nothing changed. */
    record TooManyOpen(int openReservations, Instant earliestHoldExpiry, String tier) implements HoldResult {
    }
}
