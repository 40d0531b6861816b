package dev.creditledger.account;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Optional body of the sign-up call. */
@Schema(name = "OpenAccountRequest", description = "Plan of a new account; empty body for the default tier")
public record OpenAccountRequest(
        @Size(min = 1, max = 64) @Schema(description = "Tier to start on (default: free)", example = "pro") String tier,
        @Min(1) @Max(36500) @Schema(description = "Subscription length in days from now", example = "30") Integer subscriptionDays,
        @Schema(description = "Subscription end instead of days; may be in the past when importing users") Instant subscriptionEndsAt) {

    /** No body: the default tier. */
    public static final OpenAccountRequest EMPTY = new OpenAccountRequest(null, null, null);
}
