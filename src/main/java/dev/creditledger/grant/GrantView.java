package dev.creditledger.grant;

import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.CreditGrant;
import dev.creditledger.domain.GrantSource;
import java.math.BigDecimal;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A grant as the API shows it. */
@Schema(name = "Grant", description = "A bucket of tokens the account may spend")
public record GrantView(
        @Schema(example = "42") long grantId,
        @Schema(example = "bonus") GrantSource source,
        @Schema(description = "Credits granted", example = "10") BigDecimal credits,
        @Schema(description = "Tokens granted", example = "20000") long amountTokens,
        @Schema(description = "Credits left", example = "10") BigDecimal remainingCredits,
        @Schema(description = "Tokens left", example = "20000") long remainingTokens,
        @Schema(description = "Lower is drawn first", example = "100") int priority,
        Instant effectiveAt,
        @Schema(description = "When what is left expires; null never", nullable = true) Instant expiresAt,
        @Schema(example = "Launch week bonus", nullable = true) String reason) {

    public static GrantView of(CreditGrant g, PlanCatalog plans) {
        return new GrantView(g.grantId, g.source, plans.credits(g.amount), g.amount, plans.credits(g.remaining), g.remaining,
                g.priority, g.effectiveAt, g.expiresAt, g.reason);
    }
}
