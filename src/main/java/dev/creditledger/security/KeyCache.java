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

/**
 * Keeps recently used keys in memory so that authenticating a request costs no round trip. An
 * entry lives {@link #TTL}: a key revoked on another instance stops working here within that
 * time; one revoked here stops at once. Unknown keys are never cached. Loading an entry also
 * records the key's last use, so {@code lastUsedAt} is exact to within the same time. Requests that
 * need the same key while it loads share one lookup ({@link #lookup}): a burst of requests with a
 * key this instance has not loaded yet (right after a start) makes one database call, and only the
 * request that started it counts against its address's budget for unknown keys.
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

    /**
     * Finding a key: {@code result} emits the active key whose secret has this hash
     * ({@link ApiKeys#hash}), or null when it is unknown or revoked. {@code started} is true when this
     * call started a database lookup, false when the key was cached or another request's lookup of
     * it is under way (this one joins it).
     */
    public record Lookup(boolean started, Uni<ApiKey> result) {
    }

    public Lookup lookup(String hash) {
        Instant now = Instants.now(clock);
        ApiKey cached = cached(hash, now);
        if (cached != null) {
            return new Lookup(false, Uni.createFrom().item(cached));
        }
        boolean[] started = {false};
        Uni<ApiKey> shared = loading.computeIfAbsent(hash, h -> {
            started[0] = true;
            return load(h, now).onTermination().invoke(() -> loading.remove(h)).memoize().indefinitely();
        });
        if (started[0]) {
            return new Lookup(true, shared);
        }
        // Joined another request's lookup: its answer comes on that request's event loop; go on on ours.
        Context context = Vertx.currentContext();
        return new Lookup(false, context == null ? shared : shared.emitOn(task -> context.runOnContext(v -> task.run())));
    }

    /** A lookup its request will not make after all (refused first): later requests start their own. */
    public void abandon(String hash, Lookup lookup) {
        if (lookup.started()) {
            loading.remove(hash, lookup.result());
        }
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
