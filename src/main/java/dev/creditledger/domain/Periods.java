package dev.creditledger.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * Monthly periods counted from an anchor (sign-up or the last tier change), in UTC. Every period
 * end is the anchor plus a whole number of months, so a day past the end of a month falls on its
 * last day and the next period comes back to the anchor's day: Jan 31, Feb 28 (29), Mar 31.
 */
public final class Periods {

    private Periods() {
    }

    /** The n-th boundary after the anchor (n = 0 is the anchor itself). */
    public static Instant boundary(Instant anchor, long n) {
        return anchor.atZone(ZoneOffset.UTC).plusMonths(n).toInstant();
    }

    /** The first boundary strictly after {@code now}; {@code now} must not be before the anchor. */
    public static long indexOfEndAfter(Instant anchor, Instant now) {
        ZonedDateTime start = anchor.atZone(ZoneOffset.UTC);
        long n = Math.max(1, ChronoUnit.MONTHS.between(start, now.atZone(ZoneOffset.UTC)));
        while (n > 1 && boundary(anchor, n - 1).isAfter(now)) {
            n--;
        }
        while (!boundary(anchor, n).isAfter(now)) {
            n++;
        }
        return n;
    }
}
