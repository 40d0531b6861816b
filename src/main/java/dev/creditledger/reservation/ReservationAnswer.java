package dev.creditledger.reservation;

import java.math.BigDecimal;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer to a hold, settle or release: the reservation and what the account has left. */
@Schema(name = "ReservationAnswer")
public record ReservationAnswer(
        ReservationView reservation,
        @Schema(description = "Credits available to spend after this (balance less held)", example = "3") BigDecimal credits,
        @Schema(description = "Tokens available to spend after this", example = "6000") long availableTokens,
        @Schema(description = "Tokens the account's open reservations hold after this", example = "4000") long heldTokens) {
}
