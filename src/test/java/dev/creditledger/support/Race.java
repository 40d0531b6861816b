package dev.creditledger.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Fires many real HTTP requests at once. The first wave, one request per thread, waits at a
 * barrier until every thread of the pool is there, then all go together; the rest follow as
 * threads come free. The run counts the requests in flight and answers the most there were at
 * once, so a test can show that its requests really overlapped instead of running one by one.
 */
public final class Race {

    private Race() {
    }

    /**
     * Requests that must have been in flight at once for a run to count as a race. Enough to tell a
     * race from requests that ran one by one; not so many that a loaded two-core machine, which
     * wakes the threads released together over a few milliseconds while the first answers already
     * come back, misses it (11 of 40, with 12 asked, once).
     */
    public static final int OVERLAP = 8;

    /** The answers in request order, and the most requests that were in flight at the same time. */
    public record Run<T>(List<T> results, int maxInFlight) {

        /** The answers, after checking that at least {@link #OVERLAP} requests were in flight together. */
        public List<T> overlapping() {
            return overlapping(OVERLAP);
        }

        /** The answers, after checking that at least {@code atLeast} requests were in flight together (a small race). */
        public List<T> overlapping(int atLeast) {
            if (maxInFlight < atLeast) {
                throw new AssertionError("the race did not overlap: at most " + maxInFlight + " requests were in flight at once, "
                        + "expected at least " + atLeast);
            }
            return results;
        }
    }

    public static <T> Run<T> run(int requests, int threads, IntFunction<T> request) {
        int wave = Math.min(requests, threads);
        ExecutorService pool = Executors.newFixedThreadPool(wave);
        CyclicBarrier barrier = new CyclicBarrier(wave);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    if (n < wave) {
                        barrier.await(60, TimeUnit.SECONDS);
                    }
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    try {
                        return request.apply(n);
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(120, TimeUnit.SECONDS));
            }
            return new Run<>(results, maxInFlight.get());
        } catch (Exception e) {
            throw new IllegalStateException("race did not finish", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
