package dev.creditledger.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.EntryKind;
import dev.creditledger.store.LedgerEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A ledger entry as the API shows it. */
@Schema(name = "LedgerEntry", description = "A hold, release or shrink moves no balance (amountTokens 0) but the held amount; "
        + "a settle moves both. A shrink is the part of an open hold cut when the balance fell below the held amount")
public record LedgerEntryView(
        @Schema(example = "1234") long entryId,
        @Schema(example = "consume") EntryKind kind,
        @Schema(description = "Signed change of the balance in tokens", example = "-2000") long amountTokens,
        @Schema(description = "Signed change in credits", example = "-1") BigDecimal amountCredits,
        @Schema(description = "Balance after this entry, tokens", example = "8000") long balanceAfterTokens,
        @Schema(description = "Balance after this entry, credits", example = "4") BigDecimal balanceAfterCredits,
        @Schema(example = "code_generation", nullable = true) String feature,
        @Schema(description = "Tokens the client reported", example = "1800", nullable = true) Long tokens,
        @Schema(description = "Which grants paid or received how much") List<GrantPortion> grants,
        @Schema(nullable = true) String idempotencyKey,
        @Schema(example = "api") String actor,
        @Schema(nullable = true) String reason,
        Instant createdAt,
        @Schema(description = "The reservation of a hold, settle, release or shrink entry", example = "17", nullable = true) Long reservationId,
        @Schema(description = "Signed change of the held amount in tokens: + for a hold, - for a settle, release or shrink", example = "0")
        long heldChangeTokens) {

    /** Tokens of one grant touched by an entry. */
    @Schema(name = "GrantPortion")
    public record GrantPortion(@Schema(example = "42") long grantId, @Schema(example = "2000") long amount) {
    }

    private static final TypeReference<List<GrantPortion>> PORTIONS = new TypeReference<>() {
    };

    public static LedgerEntryView of(LedgerEntry e, PlanCatalog plans, ObjectMapper mapper) {
        List<GrantPortion> grants;
        try {
            grants = e.grantsJson == null ? List.of() : mapper.readValue(e.grantsJson, PORTIONS);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("ledger entry " + e.entryId + " has unreadable grants", ex);
        }
        return new LedgerEntryView(e.entryId, e.kind, e.amount, signedCredits(e.amount, plans), e.balanceAfter,
                plans.credits(e.balanceAfter), e.feature, e.tokens, grants, e.idempotencyKey, e.actor, e.reason, e.createdAt,
                e.reservationId, e.heldChange);
    }

    private static BigDecimal signedCredits(long tokens, PlanCatalog plans) {
        BigDecimal credits = plans.credits(Math.abs(tokens));
        return tokens < 0 ? credits.negate() : credits;
    }
}
