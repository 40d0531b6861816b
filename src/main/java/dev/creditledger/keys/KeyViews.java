package dev.creditledger.keys;

import dev.creditledger.security.ApiKey;
import dev.creditledger.security.Scope;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of {@code /v1/keys}. */
public final class KeyViews {

    private KeyViews() {
    }

    @Schema(name = "CreateKeyRequest")
    public record CreateKeyRequest(
            @NotNull @Size(min = 1, max = 100) @Pattern(regexp = "[\\x20-\\x7E]+") @Schema(example = "checkout backend", required = true)
            String name,
            @NotEmpty @Schema(description = "admin, meter and/or read", example = "[\"meter\"]", required = true) Set<Scope> scopes,
            @Min(1) @Max(1_000_000) @Schema(description = "Requests per second this key may make on each instance "
                    + "(default: credits.rate-limit.requests-per-second)", example = "200") Integer rateLimit) {
    }

    @Schema(name = "ApiKey", description = "A key without its secret")
    public record KeyView(
            @Schema(example = "3") long keyId,
            @Schema(example = "checkout backend") String name,
            @Schema(description = "The key's first characters, to tell keys apart", example = "cl_Xq3vT9kP") String prefix,
            Set<Scope> scopes,
            @Schema(description = "Requests per second on each instance; null for the configured default", nullable = true) Integer rateLimit,
            Instant createdAt,
            @Schema(description = "Last use, to within 10 seconds", nullable = true) Instant lastUsedAt,
            @Schema(description = "Set once revoked; a revoked key is refused", nullable = true) Instant revokedAt) {

        static KeyView of(ApiKey key) {
            return new KeyView(key.keyId(), key.name(), key.prefix(), key.scopes(), key.rateLimit(), key.createdAt(), key.lastUsedAt(),
                    key.revokedAt());
        }
    }

    @Schema(name = "CreatedApiKey", description = "A new key: the only time its secret is shown")
    public record CreatedKey(
            @Schema(example = "3") long keyId,
            @Schema(example = "checkout backend") String name,
            @Schema(example = "cl_Xq3vT9kP") String prefix,
            Set<Scope> scopes,
            @Schema(nullable = true) Integer rateLimit,
            Instant createdAt,
            @Schema(description = "The secret; store it now, it is never shown again",
                    example = "cl_Xq3vT9kPz0aB7cD2eF4gH6iJ8kL0mN2oP4qR6sT8uV") String key) {
    }

    @Schema(name = "ApiKeyList")
    public record KeyList(List<KeyView> keys) {
    }
}
