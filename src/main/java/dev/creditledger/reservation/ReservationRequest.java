package dev.creditledger.reservation;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Credits to set aside for one in-flight call. */
@Schema(name = "ReservationRequest")
public record ReservationRequest(
        @NotNull @Size(min = 1, max = 64) @Schema(description = "A configured feature", example = "llm_call", required = true)
        String feature,
        @Positive @Schema(description = "Tokens to hold: required for a metered feature (the most the call may use); "
                + "a fixed feature holds its price and must not name tokens", example = "4000") Long tokens,
        @Positive @Schema(description = "Seconds until the hold expires on its own, up to credits.reservations.max-ttl "
                + "(default 3600); default credits.reservations.default-ttl (300)", example = "300") Long ttlSeconds) {
}
