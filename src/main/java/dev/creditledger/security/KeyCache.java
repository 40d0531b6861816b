package dev.creditledger.security;

import dev.creditledger.time.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps recently used keys in memory so that authenticating a request costs no round trip. An
 * entry lives {@link #TTL}: a key revoked on another instance stops working here within that
 * time; one revoked here stops at once. Unknown keys are never cached. Loading an entry also
 * records the key's last use, so {@code lastUsedAt} is exact to within the same time. Requests that
 * need the same key while it loads share one lookup: a burst of requests with a key this instance
 * has not loaded yet (right after a start) makes one database call, and those that find it under
 * way ({@link #isLoading}) spend nothing of their address's budget for unknown keys.
 */
@ApplicationScoped
public class KeyCache {

    static final Duration TTL = Duration.ofSeconds(10);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(ApiKey key, Instant loadedAt) {
    }

    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
    /** Hashes of keys this instance has seen active (key id by hash), however long ago: see {@link #isKnown}. */
    private final Map<String, Long> known = new ConcurrentHashMap<>();
    /** Lookups under way, by hash: later requests for the same key join them. */
    private final Map<String, Uni<ApiKey>> loading = new ConcurrentHashMap<>();
    private final ApiKeyStore store;
    private final Clock clock;

    public KeyCache(ApiKeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The active key whose secret has this hash ({@link ApiKeys#hash}); null when unknown or revoked. */
    public Uni<ApiKey> find(String hash) {
        Instant now = Instants.now(clock);
        ApiKey cached = cached(hash, now);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        boolean[] started = {false};
        Uni<ApiKey> shared = loading.computeIfAbsent(hash, h -> {
            started[0] = true;
            AtomicReference<Uni<ApiKey>> self = new AtomicReference<>();
            self.set(load(h, now).onTermination().invoke(() -> loading.remove(h, self.get())).memoize().indefinitely());
            return self.get();
        });
        if (started[0]) {
            return shared;
        }
        // Joined another request's lookup: its answer comes on that request's event loop; go on on ours.
        Context context = Vertx.currentContext();
        return context == null ? shared : shared.emitOn(task -> context.runOnContext(v -> task.run()));
    }

    /** Whether a lookup of this key is under way: a request now would join it rather than make one. */
    public boolean isLoading(String hash) {
        return loading.containsKey(hash);
    }

    private Uni<ApiKey> load(String hash, Instant now) {
        return store.findActiveAndTouch(hash, now).invoke(key -> {
            if (key == null) {
                byHash.remove(hash);
                known.remove(hash);
            } else {
                if (byHash.size() >= MAX_ENTRIES) {
                    byHash.clear();
                }
                byHash.put(hash, new Entry(key, now));
                if (known.size() >= MAX_ENTRIES) {
                    known.clear();
                }
                known.put(hash, key.keyId());
            }
        });
    }

    /**
     * Whether the secret with this hash belonged to an active key when this instance last looked it up. Such a key
     * is no guess, so the limit on unknown keys per address never applies to it; whether it is
     * still active is checked as for any key.
     */
    public boolean isKnown(String hash) {
        return known.containsKey(hash);
    }

    private ApiKey cached(String hash, Instant now) {
        Entry entry = byHash.get(hash);
        return entry != null && entry.loadedAt().plus(TTL).isAfter(now) && !entry.loadedAt().isAfter(now) ? entry.key() : null;
    }

    public void forget(long keyId) {
        byHash.values().removeIf(entry -> entry.key().keyId() == keyId);
        known.values().removeIf(id -> id == keyId);
    }
}
