package dev.creditledger.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Schedule}: when maintenance is next needed and whether it is due, when the next refill
 * comes and what it brings, and the retry time a refusal offers from it.
 */
class ScheduleTest {

    private static final Plans PLANS = SeedPlans.PLANS;

    private static final String PERIOD_END = "2027-04-01T00:00:00Z";

    static Instant at(String iso) {
        return iso == null ? null : Instant.parse(iso);
    }

    // ---------------------------------------------------------------------------------------------
    // nextMaintenanceAt

    /** An account on {@code tier} whose period ends at PERIOD_END, with grants and holds. */
    static final class Scene {
        final Account account = new Account();
        final List<CreditGrant> grants = new ArrayList<>();
        final List<Reservation> holds = new ArrayList<>();

        Scene(String tier, String subscriptionEndsAt) {
            account.accountId = "acc-1";
            account.tier = tier;
            account.subscriptionEndsAt = at(subscriptionEndsAt);
            account.periodStart = at("2027-03-01T00:00:00Z");
            account.periodEnd = at(PERIOD_END);
        }

        Scene grant(long remaining, String expiresAt) {
            CreditGrant g = new CreditGrant();
            g.grantId = (long) grants.size() + 1;
            g.amount = remaining + 1_000;
            g.consumed = 1_000;
            g.remaining = remaining;
            g.expiresAt = at(expiresAt);
            grants.add(g);
            return this;
        }

        Scene hold(long held, String expiresAt) {
            Reservation r = new Reservation();
            r.reservationId = holds.size() + 1;
            r.status = ReservationStatus.open;
            r.requested = Math.max(held, 1);
            r.held = held;
            r.expiresAt = at(expiresAt);
            holds.add(r);
            return this;
        }

        @Override
        public String toString() {
            return account.tier;
        }
    }

    static Stream<Arguments> nextMaintenance() {
        return Stream.of(
                Arguments.of("the period end, when nothing else is pending",
                        new Scene("free", null), PERIOD_END),
                Arguments.of("the period end, when grants never expire",
                        new Scene("pro", null).grant(5_000, null).grant(1, null), PERIOD_END),
                Arguments.of("the period end, when it comes before every other term",
                        new Scene("pro", "2027-05-01T00:00:00Z").grant(5_000, "2027-04-02T00:00:00Z").hold(10, "2027-04-03T00:00:00Z"),
                        PERIOD_END),
                Arguments.of("the end of a paid subscription, when it is the earliest",
                        new Scene("pro", "2027-03-11T00:00:00Z").grant(5_000, "2027-03-20T00:00:00Z").hold(10, "2027-03-15T00:00:00Z"),
                        "2027-03-11T00:00:00Z"),
                Arguments.of("the end of a subscription on a tier no longer configured counts as paid",
                        new Scene("retired-plan", "2027-03-11T00:00:00Z"), "2027-03-11T00:00:00Z"),
                Arguments.of("the default tier's subscription end is ignored",
                        new Scene("free", "2027-03-11T00:00:00Z"), PERIOD_END),
                Arguments.of("the expiry of a grant, when it is the earliest",
                        new Scene("pro", "2027-03-25T00:00:00Z").grant(5_000, "2027-03-20T00:00:00Z").grant(5_000, "2027-03-05T00:00:00Z")
                                .hold(10, "2027-03-06T00:00:00Z"), "2027-03-05T00:00:00Z"),
                Arguments.of("a grant with nothing left is ignored, however soon it expires",
                        new Scene("pro", null).grant(0, "2027-03-02T00:00:00Z").grant(5_000, "2027-03-20T00:00:00Z"),
                        "2027-03-20T00:00:00Z"),
                Arguments.of("the expiry of an open hold, when it is the earliest",
                        new Scene("pro", "2027-03-25T00:00:00Z").grant(5_000, "2027-03-20T00:00:00Z").hold(10, "2027-03-09T00:00:00Z")
                                .hold(10, "2027-03-01T00:05:00Z"), "2027-03-01T00:05:00Z"),
                Arguments.of("a hold shrunk to nothing still expires, and still counts",
                        new Scene("free", null).hold(0, "2027-03-01T00:05:00Z"), "2027-03-01T00:05:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nextMaintenance")
    void nextMaintenanceIsTheEarliestPendingTerm(String name, Scene scene, String expected) {
        assertEquals(at(expected), Schedule.nextMaintenanceAt(scene.account, scene.grants, scene.holds, PLANS));
    }

    // ---------------------------------------------------------------------------------------------
    // isDue

    static Stream<Arguments> due() {
        return Stream.of(
                Arguments.of("a microsecond before", "2027-04-01T00:00:00Z", "2027-03-31T23:59:59.999999Z", false),
                Arguments.of("at the very instant", "2027-04-01T00:00:00Z", "2027-04-01T00:00:00Z", true),
                Arguments.of("a microsecond after", "2027-04-01T00:00:00Z", "2027-04-01T00:00:00.000001Z", true),
                Arguments.of("months after", "2027-04-01T00:00:00Z", "2027-09-01T00:00:00Z", true));
    }

    @ParameterizedTest(name = "maintenance at 2027-04-01 is due {0}: {3}")
    @MethodSource("due")
    void maintenanceIsDueOnceItsInstantHasCome(String name, String nextMaintenanceAt, String now, boolean due) {
        assertEquals(due, Schedule.isDue(at(nextMaintenanceAt), at(now)));
    }

    // ---------------------------------------------------------------------------------------------
    // nextRefill

    static Stream<Arguments> refills() {
        return Stream.of(
                Arguments.of("a paid tier with no end refills its own allowance at the period end",
                        "pro", null, PERIOD_END, SeedPlans.PRO),
                Arguments.of("a paid subscription ending after the period end refills the paid allowance at the period end",
                        "pro", "2027-04-01T00:00:00.000001Z", PERIOD_END, SeedPlans.PRO),
                Arguments.of("a paid subscription ending first refills the default allowance at its end",
                        "enterprise", "2027-03-20T00:00:00Z", "2027-03-20T00:00:00Z", SeedPlans.FREE),
                Arguments.of("a paid subscription ending exactly at the period end refills the default allowance",
                        "pro", PERIOD_END, PERIOD_END, SeedPlans.FREE),
                Arguments.of("the default tier refills at the period end, its subscription end ignored",
                        "free", "2027-03-20T00:00:00Z", PERIOD_END, SeedPlans.FREE),
                Arguments.of("a tier no longer configured refills the default allowance at the period end",
                        "retired-plan", null, PERIOD_END, SeedPlans.FREE),
                Arguments.of("a tier no longer configured whose subscription ends first refills the default allowance then",
                        "retired-plan", "2027-03-20T00:00:00Z", "2027-03-20T00:00:00Z", SeedPlans.FREE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refills")
    void theNextRefillIsTheResetOrTheFallToTheDefaultTierWhicheverComesFirst(String name, String tier, String subscriptionEndsAt,
                                                                              String expectedAt, long expectedTokens) {
        assertEquals(new Schedule.Refill(at(expectedAt), expectedTokens),
                Schedule.nextRefill(tier, at(subscriptionEndsAt), at(PERIOD_END), PLANS));
    }

    // ---------------------------------------------------------------------------------------------
    // Refusal.InsufficientCredits.of

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("pro, the next allowance covers the cost", "pro", null, 150_000L, PERIOD_END),
                Arguments.of("pro, the next allowance covers the cost exactly", "pro", null, SeedPlans.PRO, PERIOD_END),
                Arguments.of("pro, the cost is a token above the next allowance", "pro", null, SeedPlans.PRO + 1, null),
                Arguments.of("pro cancelled at the period end, the free allowance after it is too small", "pro", PERIOD_END, 60_000L, null),
                Arguments.of("pro cancelled at the period end, the free allowance after it covers the cost", "pro", PERIOD_END,
                        SeedPlans.FREE, PERIOD_END),
                Arguments.of("pro ending mid-period, the free allowance then covers the cost", "pro", "2027-03-20T00:00:00Z", 2_000L,
                        "2027-03-20T00:00:00Z"),
                Arguments.of("free, the next allowance covers the cost exactly", "free", null, SeedPlans.FREE, PERIOD_END),
                Arguments.of("free, the cost is a token above the next allowance", "free", null, SeedPlans.FREE + 1, null),
                Arguments.of("a tier no longer configured, the free allowance after the reset is too small", "retired-plan", null,
                        100_000L, null),
                Arguments.of("a tier no longer configured, the free allowance after the reset covers the cost", "retired-plan", null,
                        5_000L, PERIOD_END));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aRefusalOffersTheNextRefillOnlyWhenItsAllowanceCoversTheCost(String name, String tier, String subscriptionEndsAt,
                                                                      long required, String expectedRefillAt) {
        AccountSnapshot account = new AccountSnapshot(3_000, 1_000, tier, at(subscriptionEndsAt), at(PERIOD_END));
        Instant now = at("2027-03-15T12:00:00Z");

        Refusal.InsufficientCredits refusal = Refusal.InsufficientCredits.of(account, required, now, PLANS);

        assertEquals(new Refusal.InsufficientCredits(2_000, required, at(PERIOD_END), at(expectedRefillAt), now), refusal);
    }
}
