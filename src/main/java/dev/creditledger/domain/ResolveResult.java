package dev.creditledger.domain;

/** What one settle or release did; the database says which ({@code resolve_reservation}'s outcome column). */
public sealed interface ResolveResult permits ResolveResult.Resolved, ResolveResult.NotOpen, ResolveResult.TokensRequired,
        ResolveResult.NoReservation, MaintenanceDue, NoAccount {

    /** Settled or released: the reservation as resolved, and the account's balance and held amount after it. */
    record Resolved(Reservation reservation, long balance, long held) implements ResolveResult {
    }

    /** The reservation was already settled, released or expired; nothing changed. */
    record NotOpen(Reservation reservation) implements ResolveResult {
    }

    /** A metered reservation's settle named no tokens; nothing changed. */
    record TokensRequired(Reservation reservation) implements ResolveResult {
    }

    /** The account has no reservation of that id; nothing changed. */
    record NoReservation() implements ResolveResult {
    }
}
