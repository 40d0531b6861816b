package dev.creditledger.reservation;

import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.Reservation;
import dev.creditledger.domain.ReservationStatus;
import java.math.BigDecimal;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A reservation as the API shows it. */
@Schema(name = "Reservation")
public record ReservationView(
        @Schema(description = "Unique within the account", example = "17") long reservationId,
        @Schema(example = "user_123") String userId,
        @Schema(description = "open holds credits; settled, released and expired are final", example = "open") ReservationStatus status,
        @Schema(example = "llm_call") String feature,
        @Schema(description = "Tokens asked for (a fixed feature: its price)", example = "4000") long requestedTokens,
        @Schema(description = "Tokens held now: requestedTokens while open (less if an expiry shrank it), 0 once resolved",
                example = "4000") long heldTokens,
        @Schema(description = "Credits held now", example = "2") BigDecimal heldCredits,
        @Schema(description = "Tokens the settle reported; null unless settled", example = "3120", nullable = true) Long reportedTokens,
        @Schema(description = "Tokens the settle charged; null unless settled", example = "3120", nullable = true) Long chargedTokens,
        @Schema(description = "Credits the settle charged; null unless settled", example = "1.56", nullable = true) BigDecimal chargedCredits,
        @Schema(description = "Tokens the settle should have charged but the account could not cover; null unless settled",
                example = "0", nullable = true) Long uncoveredTokens,
        Instant createdAt,
        @Schema(description = "When an open reservation expires and its credits are released on their own") Instant expiresAt,
        @Schema(description = "When it was settled, released or expired; null while open", nullable = true) Instant resolvedAt) {

    public static ReservationView of(Reservation r, PlanCatalog plans) {
        boolean settled = r.status == ReservationStatus.settled;
        Long uncovered = settled && r.cost() != null ? r.cost() - r.charged : null;
        return new ReservationView(r.reservationId, r.accountId, r.status, r.feature, r.requested, r.held, plans.credits(r.held),
                settled ? r.tokens : null, r.charged, settled ? plans.credits(r.charged) : null, uncovered,
                r.createdAt, r.expiresAt, r.resolvedAt);
    }
}
