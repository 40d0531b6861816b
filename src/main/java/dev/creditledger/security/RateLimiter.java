package dev.creditledger.security;

import dev.creditledger.plan.CreditsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key on this instance: a key may make {@code rate} requests per second,
 * in bursts of up to one second's worth. Time comes from the injected clock, so tests move it
 * instead of waiting.
 */
@ApplicationScoped
public class RateLimiter {

    private final Map<Long, Bucket> buckets = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int defaultRate;

    public RateLimiter(Clock clock, CreditsConfig config) {
        this.clock = clock;
        this.defaultRate = config.rateLimit().requestsPerSecond();
    }

    /** Takes one request from the key's bucket: empty when allowed, else the seconds until one is. */
    public long secondsUntilAllowed(ApiKey key) {
        int rate = key.rateLimit() == null ? defaultRate : key.rateLimit();
        return buckets.computeIfAbsent(key.keyId(), id -> new Bucket(rate, clock.instant())).take(rate, clock.instant());
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
    }
}
