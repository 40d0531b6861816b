package dev.creditledger.account;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.Account;
import dev.creditledger.domain.CreditGrant;
import dev.creditledger.domain.DrawOrder;
import dev.creditledger.grant.GrantView;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Usage status of an account, with the seed's field names. */
@Schema(name = "Account", description = "An account's balance, counters, plan and active grants")
public record AccountView(
        @Schema(example = "user_123") String userId,
        @Schema(description = "Credits available to spend (balance less held)", example = "5") BigDecimal credits,
        @Schema(description = "Tokens available to spend", example = "10000") long availableTokens,
        @Schema(description = "Tokens in active grants", example = "10000") long balanceTokens,
        @Schema(description = "Tokens set aside for in-flight calls (open reservations)", example = "0") long heldTokens,
        @Schema(description = "Reservations holding credits now", example = "0") int openReservations,
        @Schema(description = "Tokens used over the account's life", example = "0") long totalTokensUsed,
        @Schema(description = "Tokens used this period", example = "0") long monthlyTokensUsed,
        @Schema(description = "When this period started") Instant periodStart,
        @Schema(description = "When this period ends and the allowance refills") Instant monthlyResetDate,
        @JsonProperty("isSubscribed") @Schema(description = "True on a tier other than the default (free) one") boolean isSubscribed,
        @Schema(example = "free") String subscriptionTier,
        @Schema(description = "When the subscription ends; null for none or no end", nullable = true) Instant subscriptionEndsAt,
        Instant createdAt,
        Instant updatedAt,
        @Schema(description = "Active grants in the order they are drawn") List<GrantView> grants) {

    public static AccountView of(Account a, List<CreditGrant> openGrants, PlanCatalog plans) {
        List<GrantView> grants = openGrants.stream().filter(g -> g.remaining > 0).sorted(DrawOrder.GRANTS)
                .map(g -> GrantView.of(g, plans)).toList();
        return new AccountView(a.accountId, plans.credits(a.available()), a.available(), a.balance, a.held, a.openReservations, a.totalTokensUsed,
                a.monthlyTokensUsed, a.periodStart, a.periodEnd, !a.tier.equals(plans.defaultTier()), a.tier,
                a.subscriptionEndsAt, a.createdAt, a.updatedAt, grants);
    }
}
