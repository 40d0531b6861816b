package dev.creditledger.grant;

import dev.creditledger.domain.GrantSource;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bonus credits for one account (the seed's {@code grantBonusCredits}). */
@Schema(name = "GrantRequest")
public record GrantRequest(
        @NotNull @Schema(description = "Credits to grant; a decimal is fine when it is a whole number of tokens", example = "10",
                required = true) BigDecimal credits,
        @Size(max = 500) @Schema(description = "Why, for the ledger", example = "Launch week bonus") String reason,
        @Schema(description = "When what is left expires; must be in the future; none: never") Instant expiresAt,
        @Min(0) @Max(1000) @Schema(description = "Lower is drawn first (default 100, the allowance's)", example = "100") Integer priority,
        @Schema(description = "Where the credits come from (default bonus); allowance is the plan's own", example = "bonus")
        GrantSource source) {

    /** The same request with equal values written alike ({@code 10} and {@code 10.0} credits), for fingerprints. */
    public GrantRequest normalized() {
        return new GrantRequest(credits.stripTrailingZeros(), reason, expiresAt, priority, source);
    }
}
