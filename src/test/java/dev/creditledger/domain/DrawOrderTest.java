package dev.creditledger.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DrawOrder#GRANTS} (docs/design.md, rule D2): priority ascending, then the soonest expiry
 * with none last, then the oldest, then the lowest grant id. Each case names a grant that pays
 * before another although every later key says otherwise, so each key is shown to decide.
 */
class DrawOrderTest {

    static CreditGrant grant(Long id, int priority, String expiresAt, String createdAt) {
        CreditGrant g = new CreditGrant();
        g.grantId = id;
        g.priority = priority;
        g.expiresAt = expiresAt == null ? null : Instant.parse(expiresAt);
        g.createdAt = Instant.parse(createdAt);
        g.amount = 1_000;
        g.remaining = 1_000;
        return g;
    }

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of("a lower priority pays first, though it never expires, is newer and has a higher id",
                        grant(9L, 10, null, "2027-03-02T00:00:00Z"), grant(1L, 100, "2027-03-05T00:00:00Z", "2027-03-01T00:00:00Z")),
                Arguments.of("at equal priority the sooner expiry pays first, though it is newer and has a higher id",
                        grant(9L, 100, "2027-03-05T00:00:00Z", "2027-03-02T00:00:00Z"),
                        grant(1L, 100, "2027-03-20T00:00:00Z", "2027-03-01T00:00:00Z")),
                Arguments.of("at equal priority any expiry pays before none, though it is newer and has a higher id",
                        grant(9L, 100, "2099-01-01T00:00:00Z", "2027-03-02T00:00:00Z"), grant(1L, 100, null, "2027-03-01T00:00:00Z")),
                Arguments.of("at equal priority and expiry the older pays first, though it has a higher id",
                        grant(9L, 100, "2027-03-20T00:00:00Z", "2027-03-01T00:00:00Z"),
                        grant(1L, 100, "2027-03-20T00:00:00Z", "2027-03-01T00:00:00.000001Z")),
                Arguments.of("with no expiry either, the older pays first, though it has a higher id",
                        grant(9L, 100, null, "2027-03-01T00:00:00Z"), grant(1L, 100, null, "2027-03-02T00:00:00Z")),
                Arguments.of("all else equal, the lower grant id pays first",
                        grant(1L, 100, "2027-03-20T00:00:00Z", "2027-03-01T00:00:00Z"),
                        grant(2L, 100, "2027-03-20T00:00:00Z", "2027-03-01T00:00:00Z")),
                Arguments.of("all else equal, a stored grant pays before one not stored yet (no id)",
                        grant(5L, 100, null, "2027-03-01T00:00:00Z"), grant(null, 100, null, "2027-03-01T00:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void theFirstGrantPaysBeforeTheSecond(String name, CreditGrant first, CreditGrant second) {
        assertTrue(DrawOrder.GRANTS.compare(first, second) < 0, "first before second");
        assertTrue(DrawOrder.GRANTS.compare(second, first) > 0, "second after first");
        assertEquals(0, DrawOrder.GRANTS.compare(first, first), "a grant ties with itself");
    }

    @Test
    void aMixedSetSortsByPriorityThenExpiryWithNoneLastThenAgeThenId() {
        List<CreditGrant> expected = List.of(
                grant(7L, 0, null, "2027-03-09T00:00:00Z"),
                grant(6L, 10, "2027-03-10T00:00:00Z", "2027-03-08T00:00:00Z"),
                grant(5L, 10, null, "2027-03-01T00:00:00Z"),
                grant(4L, 100, "2027-03-05T00:00:00Z", "2027-03-07T00:00:00Z"),
                grant(2L, 100, "2027-04-01T00:00:00Z", "2027-03-01T00:00:00Z"),
                grant(3L, 100, "2027-04-01T00:00:00Z", "2027-03-01T00:00:00Z"),
                grant(1L, 100, "2027-04-01T00:00:00Z", "2027-03-02T00:00:00Z"),
                grant(8L, 100, null, "2027-03-01T00:00:00Z"),
                grant(9L, 100, null, "2027-03-06T00:00:00Z"),
                grant(10L, 1000, "2027-03-02T00:00:00Z", "2027-03-01T00:00:00Z"));
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            List<CreditGrant> shuffled = new ArrayList<>(expected);
            Collections.shuffle(shuffled, random);
            assertEquals(ids(expected), ids(shuffled.stream().sorted(DrawOrder.GRANTS).toList()));
        }
    }

    private static List<Long> ids(List<CreditGrant> grants) {
        return grants.stream().map(g -> g.grantId).toList();
    }
}
