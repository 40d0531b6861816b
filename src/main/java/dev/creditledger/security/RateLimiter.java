package dev.creditledger.security;

import dev.creditledger.plan.CreditsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key, one per end user, and one per client address for refused
 * credentials, on this instance: a key may make {@code rate} requests per second, in bursts of up
 * to one second's worth. End users share one configured rate; so do client addresses, counting
 * only their 401s, so guessing keys or tokens is cut off before it costs a lookup or a signature check. Buckets idle long enough to be full again are dropped when there are many, so the map
 * stays bounded by the callers of the last second. Time comes from the injected clock, so tests
 * move it instead of waiting.
 */
@ApplicationScoped
public class RateLimiter {

    private static final int PRUNE_ABOVE = 100_000;

    private final Map<Object, Bucket> buckets = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int defaultRate;
    private final int endUserRate;
    private final int failedAuthRate;

    public RateLimiter(Clock clock, CreditsConfig config) {
        this.clock = clock;
        this.defaultRate = config.rateLimit().requestsPerSecond();
        this.endUserRate = config.rateLimit().endUserRequestsPerSecond();
        this.failedAuthRate = config.rateLimit().failedAuthenticationsPerSecond();
    }

    /** Takes one request from the key's bucket: 0 when allowed, else the seconds until one is. */
    public long secondsUntilAllowed(ApiKey key) {
        return take(key.keyId(), key.rateLimit() == null ? defaultRate : key.rateLimit());
    }

    /** Takes one request from the end user's bucket: 0 when allowed, else the seconds until one is. */
    public long secondsUntilAllowed(String userId) {
        return take(new EndUserBucket(userId), endUserRate);
    }

    /** Whether the address has used up its refused credentials: 0 when it may try, else the seconds until it may. */
    public long secondsUntilAuthenticationAllowed(String address) {
        Bucket bucket = buckets.get(new AddressBucket(address));
        return bucket == null ? 0 : bucket.wait(failedAuthRate, clock.instant());
    }

    /** Counts one refused credential against the address. */
    public void authenticationFailed(String address) {
        take(new AddressBucket(address), failedAuthRate);
    }

    private long take(Object id, int rate) {
        Instant now = clock.instant();
        if (buckets.size() > PRUNE_ABOVE) {
            buckets.values().removeIf(bucket -> bucket.idleLongerThanOneSecond(now));
        }
        return buckets.computeIfAbsent(id, ignored -> new Bucket(rate, now)).take(rate, now);
    }

    private record EndUserBucket(String userId) {
    }

    private record AddressBucket(String address) {
    }

    private static final class Bucket {
        private double tokens;
        private Instant last;

        Bucket(int rate, Instant now) {
            this.tokens = rate;
            this.last = now;
        }

        synchronized long take(int rate, Instant now) {
            long wait = wait(rate, now);
            if (wait == 0) {
                tokens -= 1;
            }
            return wait;
        }

        /** Refills for the time passed; 0 when a request may go, else the seconds until one may. */
        synchronized long wait(int rate, Instant now) {
            if (now.isAfter(last)) {
                double seconds = Duration.between(last, now).toNanos() / 1e9;
                tokens = Math.min(rate, tokens + seconds * rate);
                last = now;
            }
            return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }

        /** A bucket untouched for a second is full again: dropping it changes no answer. */
        synchronized boolean idleLongerThanOneSecond(Instant now) {
            return Duration.between(last, now).compareTo(Duration.ofSeconds(1)) > 0;
        }
    }
}
