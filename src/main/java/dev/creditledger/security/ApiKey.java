package dev.creditledger.security;

import java.time.Instant;
import java.util.Set;

/** A stored key, without its secret. */
public record ApiKey(long keyId, String prefix, String name, Set<Scope> scopes, Integer rateLimit, Instant createdAt,
                     Instant lastUsedAt, Instant revokedAt) {

    public boolean allows(Allowed allowed) {
        if (scopes.contains(Scope.admin)) {
            return true;
        }
        if (allowed != null) {
            for (Scope scope : allowed.value()) {
                if (scopes.contains(scope)) {
                    return true;
                }
            }
        }
        return false;
    }
}
