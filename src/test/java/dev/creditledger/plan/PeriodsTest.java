package dev.creditledger.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.domain.Periods;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Month arithmetic of periods, without a server. */
class PeriodsTest {

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void aPeriodFromTheThirtyFirstEndsOnTheLastDayOfShortMonthsAndComesBack() {
        Instant anchor = at("2027-01-31T10:00:00Z");
        assertEquals(at("2027-02-28T10:00:00Z"), Periods.boundary(anchor, 1));
        assertEquals(at("2027-03-31T10:00:00Z"), Periods.boundary(anchor, 2));
        assertEquals(at("2027-04-30T10:00:00Z"), Periods.boundary(anchor, 3));
    }

    @Test
    void aLeapYearFebruaryEndsOnThe29th() {
        assertEquals(at("2028-02-29T10:00:00Z"), Periods.boundary(at("2028-01-31T10:00:00Z"), 1));
        assertEquals(at("2029-02-28T00:00:00Z"), Periods.boundary(at("2028-02-29T00:00:00Z"), 12));
    }

    @Test
    void theEndAfterAnInstantIsTheFirstBoundaryStrictlyLater() {
        Instant anchor = at("2027-01-31T10:00:00Z");
        assertEquals(1, Periods.indexOfEndAfter(anchor, anchor));
        assertEquals(1, Periods.indexOfEndAfter(anchor, at("2027-02-28T09:59:59Z")));
        assertEquals(2, Periods.indexOfEndAfter(anchor, at("2027-02-28T10:00:00Z")));
        assertEquals(2, Periods.indexOfEndAfter(anchor, at("2027-03-31T09:00:00Z")));
        assertEquals(3, Periods.indexOfEndAfter(anchor, at("2027-03-31T10:00:00Z")));
    }

    @Test
    void manyMissedPeriodsAreCountedInOneStep() {
        Instant anchor = at("2026-05-31T00:00:00Z");
        long n = Periods.indexOfEndAfter(anchor, at("2031-12-15T00:00:00Z"));
        assertEquals(at("2031-12-31T00:00:00Z"), Periods.boundary(anchor, n));
        assertEquals(at("2031-11-30T00:00:00Z"), Periods.boundary(anchor, n - 1));
    }
}
