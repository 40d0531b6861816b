package dev.creditledger.consume;

import java.math.BigDecimal;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The seed's answer to a paid action. */
@Schema(name = "ConsumeResponse")
public record ConsumeResponse(
        @Schema(example = "true") boolean success,
        @Schema(example = "code_generation") String feature,
        @Schema(description = "Ledger entry of this debit", example = "1234") long entryId,
        CreditInfo creditInfo) {

    /** What the action cost and what is left, in the seed's field names. */
    @Schema(name = "CreditInfo")
    public record CreditInfo(
            @Schema(description = "Tokens charged", example = "2000") long tokensUsed,
            @Schema(description = "Credits charged", example = "1") BigDecimal creditsUsed,
            @Schema(description = "Credits available after the debit", example = "4") BigDecimal creditsRemaining,
            @Schema(description = "Tokens available after the debit", example = "8000") long tokensRemaining,
            @Schema(description = "Tokens used over the account's life", example = "2000") long totalTokensUsed) {
    }
}
