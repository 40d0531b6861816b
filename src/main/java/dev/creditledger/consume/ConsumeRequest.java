package dev.creditledger.consume;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One billable action. */
@Schema(name = "ConsumeRequest")
public record ConsumeRequest(
        @NotNull @Size(min = 1, max = 64) @Schema(description = "A configured feature", example = "code_generation", required = true)
        String feature,
        @Positive @Schema(description = "Tokens the AI call used: the cost of a metered feature, recorded for analytics otherwise",
                example = "2000") Long tokens) {
}
