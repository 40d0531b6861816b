package dev.creditledger.security;

import dev.creditledger.time.Instants;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps recently used keys in memory so that authenticating a request costs no round trip. An
 * entry lives {@link #TTL}: a key revoked on another instance stops working here within that
 * time; one revoked here stops at once. Unknown keys are never cached. Loading an entry also
 * records the key's last use, so {@code lastUsedAt} is exact to within the same time.
 */
@ApplicationScoped
public class KeyCache {

    static final Duration TTL = Duration.ofSeconds(10);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(ApiKey key, Instant loadedAt) {
    }

    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
    private final ApiKeyStore store;
    private final Clock clock;

    public KeyCache(ApiKeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The active key for a presented secret; null when unknown or revoked. */
    public Uni<ApiKey> find(String presented) {
        String hash = ApiKeys.hash(presented);
        Instant now = Instants.now(clock);
        ApiKey cached = cached(hash, now);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return store.findActiveAndTouch(hash, now).invoke(key -> {
            if (key == null) {
                byHash.remove(hash);
            } else {
                if (byHash.size() >= MAX_ENTRIES) {
                    byHash.clear();
                }
                byHash.put(hash, new Entry(key, now));
            }
        });
    }

    /** Whether the secret is a key this instance has in memory, known good: checking costs nothing. */
    public boolean isCached(String presented) {
        return cached(ApiKeys.hash(presented), Instants.now(clock)) != null;
    }

    private ApiKey cached(String hash, Instant now) {
        Entry entry = byHash.get(hash);
        return entry != null && entry.loadedAt().plus(TTL).isAfter(now) && !entry.loadedAt().isAfter(now) ? entry.key() : null;
    }

    public void forget(long keyId) {
        byHash.values().removeIf(entry -> entry.key().keyId() == keyId);
    }
}
