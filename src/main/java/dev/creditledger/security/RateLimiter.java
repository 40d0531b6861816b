package dev.creditledger.security;

import dev.creditledger.catalog.CreditsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Token buckets on this instance: one per API key, one per end user, and one per client address
 * for API key lookups that find nothing. A bucket of rate {@code r} allows {@code r} requests per
 * second in bursts of up to one second's worth. Time comes from the injected clock, so tests move
 * it instead of waiting.
 *
 * <p>Buckets idle for a second are full again, so dropping them changes no answer; when there are
 * many, they are dropped at most once a second. IPv6 clients are counted by their /64, the block
 * one client usually holds.
 */
@ApplicationScoped
public class RateLimiter {

    private static final int PRUNE_ABOVE = 100_000;

    private final Map<Object, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> lastPrune = new AtomicReference<>(Instant.MIN);
    private final Clock clock;
    private final int defaultRate;
    private final int endUserRate;
    private final int unknownKeyRate;

    public RateLimiter(Clock clock, CreditsConfig config) {
        this.clock = clock;
        this.defaultRate = config.rateLimit().requestsPerSecond();
        this.endUserRate = config.rateLimit().endUserRequestsPerSecond();
        this.unknownKeyRate = config.rateLimit().unknownKeysPerSecond();
    }

    /** Takes one request from the key's bucket: 0 when allowed, else the seconds until one is. */
    public long secondsUntilAllowed(ApiKey key) {
        return take(key.keyId(), key.rateLimit() == null ? defaultRate : key.rateLimit());
    }

    /** Takes one request from the end user's bucket: 0 when allowed, else the seconds until one is. */
    public long secondsUntilAllowed(String userId) {
        return take(new EndUserBucket(userId), endUserRate);
    }

    /**
     * Takes one key lookup from the address's bucket before the lookup runs, so concurrent guesses
     * cannot all pass a check made before any of them failed: 0 when the lookup may run, else the
     * seconds until one may. A lookup that finds a key gives it back ({@link #keyFound}).
     */
    public long secondsUntilKeyLookup(String address) {
        return take(new AddressBucket(block(address)), unknownKeyRate);
    }

    /** The lookup found an active key: it does not count against the address. */
    public void keyFound(String address) {
        Bucket bucket = buckets.get(new AddressBucket(block(address)));
        if (bucket != null) {
            bucket.giveBack(unknownKeyRate);
        }
    }

    private long take(Object id, int rate) {
        Instant now = clock.instant();
        if (buckets.size() > PRUNE_ABOVE) {
            Instant last = lastPrune.get();
            if (!now.isBefore(last.plusSeconds(1)) && lastPrune.compareAndSet(last, now)) {
                buckets.values().removeIf(bucket -> bucket.idleLongerThanOneSecond(now));
            }
        }
        return buckets.computeIfAbsent(id, ignored -> new Bucket(rate, now)).take(rate, now);
    }

    /** The client's address, or for IPv6 its /64 (one client usually holds a whole /64). */
    static String block(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            InetAddress parsed = InetAddress.getByName(address.replace("[", "").replace("]", ""));
            if (parsed instanceof Inet6Address) {
                return InetAddress.getByAddress(Arrays.copyOf(Arrays.copyOf(parsed.getAddress(), 8), 16)).getHostAddress() + "/64";
            }
            return parsed.getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private record EndUserBucket(String userId) {
    }

    private record AddressBucket(String block) {
    }

    private static final class Bucket {
        private double tokens;
        private Instant last;

        Bucket(int rate, Instant now) {
            this.tokens = rate;
            this.last = now;
        }

        synchronized long take(int rate, Instant now) {
            if (now.isAfter(last)) {
                double seconds = Duration.between(last, now).toNanos() / 1e9;
                tokens = Math.min(rate, tokens + seconds * rate);
                last = now;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }

        synchronized void giveBack(int rate) {
            tokens = Math.min(rate, tokens + 1);
        }

        /** A bucket untouched for a second is full again: dropping it changes no answer. */
        synchronized boolean idleLongerThanOneSecond(Instant now) {
            return Duration.between(last, now).compareTo(Duration.ofSeconds(1)) > 0;
        }
    }
}
