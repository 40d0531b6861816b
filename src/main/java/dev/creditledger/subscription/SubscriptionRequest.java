package dev.creditledger.subscription;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Upgrade, change or renew a subscription. */
@Schema(name = "SubscriptionRequest", description = "Tier with `days` or `endsAt` (neither: no end)")
public record SubscriptionRequest(
        @NotNull @Size(min = 1, max = 64) @Schema(example = "pro", required = true) String tier,
        @Min(1) @Max(36500) @Schema(description = "Days from now, or from the current end when renewing the same active tier",
                example = "30") Integer days,
        @Schema(description = "Explicit end; may be in the past (expired at once)") Instant endsAt) {
}
