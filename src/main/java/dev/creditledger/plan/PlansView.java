package dev.creditledger.plan;

import dev.creditledger.catalog.CreditsConfig;
import java.math.BigDecimal;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Tiers, features and the unit of account. */
@Schema(name = "Plans")
public record PlansView(
        @Schema(example = "2000") long tokensPerCredit,
        @Schema(description = "Tier of new accounts and of expired subscriptions", example = "free") String defaultTier,
        @Schema(description = "Largest token amount one request may name", example = "1000000000000") long maxTokensPerRequest,
        List<PlanView> plans,
        List<FeatureView> features) {

    @Schema(name = "Plan")
    public record PlanView(@Schema(example = "pro") String tier, @Schema(description = "Allowance per period", example = "100")
                           BigDecimal credits, @Schema(example = "200000") long tokens) {
    }

    @Schema(name = "Feature")
    public record FeatureView(@Schema(example = "code_generation") String name, @Schema(example = "fixed") CreditsConfig.Pricing pricing,
                              @Schema(description = "Price per request (fixed features)", example = "1", nullable = true) BigDecimal credits,
                              @Schema(description = "Price per request in tokens (fixed features)", example = "2000", nullable = true) Long tokens) {
    }
}
