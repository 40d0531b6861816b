package dev.creditledger.reservation;

import jakarta.validation.constraints.PositiveOrZero;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The actual usage of the call a reservation was made for. */
@Schema(name = "SettleRequest")
public record SettleRequest(
        @PositiveOrZero @Schema(description = "Tokens the call used: required for a metered feature (what is charged); "
                + "recorded only for a fixed feature, which is charged its price", example = "3120") Long tokens) {
}
