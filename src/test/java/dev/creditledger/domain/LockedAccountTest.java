package dev.creditledger.domain;

import static dev.creditledger.domain.ReservationStatus.expired;
import static dev.creditledger.domain.ReservationStatus.open;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LockedAccount#maintain}, in memory, one named case per kind of maintenance event: period
 * resets and their catch-up, grant expiry, subscription expiry, a tier no longer configured, hold
 * expiry, holds shrinking to fit the balance, events of one instant and events overdue together.
 * Each case pins the account's fields, the exact ledger entries, the holds, the grants issued and
 * the next maintenance instant; the ledger invariants are checked after every case.
 */
class LockedAccountTest {

    private static final Plans PLANS = SeedPlans.PLANS;
    private static final String SHRUNK = "balance fell below the held amount";

    static Instant at(String iso) {
        return iso == null ? null : Instant.parse(iso);
    }

    // ---------------------------------------------------------------------------------------------
    // The cases

    /** The cases that maintain the account as given (a case that changes it first cannot be replayed step by step). */
    static Stream<Arguments> casesMaintainedAsGiven() {
        return cases().filter(arguments -> !((Case) ((Named<?>) arguments.get()[0]).getPayload()).hasBefore);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                named("a period reset expires the allowance's remainder and issues the next one, Jan 31 -> Feb 28 -> Mar 31",
                        () -> Given.on("free", "2027-01-31T10:00:00Z").allowance(6_000), "2027-02-28T10:00:00Z")
                        .entries(expire(-6_000, 0, "2027-02-28T10:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-02-28T10:00:00Z", "free allowance"))
                        .period("2027-02-28T10:00:00Z", "2027-03-31T10:00:00Z").balance(10_000).monthly(0)
                        .issued(allowance(10_000, "2027-02-28T10:00:00Z", "2027-03-31T10:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-03-31T10:00:00Z"),

                named("nothing is due a microsecond before the period end",
                        () -> Given.on("free", "2027-01-31T10:00:00Z").allowance(6_000), "2027-02-28T09:59:59.999999Z")
                        .entries().next("2027-02-28T10:00:00Z"),

                named("several missed periods catch up in one step and only the current allowance is issued",
                        () -> Given.on("pro", "2027-05-31T08:00:00Z").allowance(198_000), "2027-11-15T00:00:00Z")
                        .entries(expire(-198_000, 0, "2027-06-30T08:00:00Z", "period end"),
                                grant(200_000, 200_000, "2027-10-31T08:00:00Z", "pro allowance"))
                        .period("2027-10-31T08:00:00Z", "2027-11-30T08:00:00Z").balance(200_000).monthly(0)
                        .issued(allowance(200_000, "2027-10-31T08:00:00Z", "2027-11-30T08:00:00Z", "pro allowance"))
                        .changedGrants(1).next("2027-11-30T08:00:00Z"),

                named("a catch-up from the 31st lands on the last day of a 30-day month and ends on the 31st",
                        () -> Given.on("free", "2027-01-31T10:00:00Z").allowance(10_000), "2027-05-01T00:00:00Z")
                        .entries(expire(-10_000, 0, "2027-02-28T10:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-04-30T10:00:00Z", "free allowance"))
                        .period("2027-04-30T10:00:00Z", "2027-05-31T10:00:00Z")
                        .issued(allowance(10_000, "2027-04-30T10:00:00Z", "2027-05-31T10:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-05-31T10:00:00Z"),

                named("a catch-up from the 31st lands on February 29th in a leap year",
                        () -> Given.on("free", "2027-12-31T00:00:00Z").allowance(10_000), "2028-03-01T00:00:00Z")
                        .entries(expire(-10_000, 0, "2028-01-31T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2028-02-29T00:00:00Z", "free allowance"))
                        .period("2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z")
                        .issued(allowance(10_000, "2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2028-03-31T00:00:00Z"),

                named("a catch-up seen exactly on a boundary starts the period at that boundary",
                        () -> Given.on("free", "2027-01-31T10:00:00Z").allowance(10_000), "2027-03-31T10:00:00Z")
                        .entries(expire(-10_000, 0, "2027-02-28T10:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-03-31T10:00:00Z", "free allowance"))
                        .period("2027-03-31T10:00:00Z", "2027-04-30T10:00:00Z")
                        .issued(allowance(10_000, "2027-03-31T10:00:00Z", "2027-04-30T10:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-04-30T10:00:00Z"),

                named("a bonus expiring mid-period expires what is left of it and the balance drops",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(10_000)
                                .grant(GrantSource.bonus, 6_000, 4_000, 0, "2027-03-05T00:00:00Z"), "2027-03-10T00:00:00Z")
                        .entries(expire(-4_000, 10_000, "2027-03-05T00:00:00Z", "grant expired"))
                        .balance(10_000).changedGrants(2).next("2027-04-01T00:00:00Z"),

                named("a paid subscription ending mid-period falls to the default tier, swaps the allowance and restarts the period",
                        () -> Given.on("pro", "2027-03-01T00:00:00Z").subscriptionEnds("2027-03-11T00:00:00Z").allowance(150_000),
                        "2027-03-20T00:00:00Z")
                        .entries(expire(-150_000, 0, "2027-03-11T00:00:00Z", "tier change to free"),
                                grant(10_000, 10_000, "2027-03-11T00:00:00Z", "free allowance"))
                        .tier("free", null).anchor("2027-03-11T00:00:00Z").period("2027-03-11T00:00:00Z", "2027-04-11T00:00:00Z")
                        .balance(10_000).monthly(0)
                        .issued(allowance(10_000, "2027-03-11T00:00:00Z", "2027-04-11T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-04-11T00:00:00Z"),

                named("a subscription end seen months later falls at its own instant and the free periods catch up after it",
                        () -> Given.on("pro", "2027-03-01T00:00:00Z").subscriptionEnds("2027-03-11T00:00:00Z").allowance(150_000),
                        "2027-06-20T00:00:00Z")
                        .entries(expire(-150_000, 0, "2027-03-11T00:00:00Z", "tier change to free"),
                                grant(10_000, 10_000, "2027-03-11T00:00:00Z", "free allowance"),
                                expire(-10_000, 0, "2027-04-11T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-06-11T00:00:00Z", "free allowance"))
                        .tier("free", null).anchor("2027-03-11T00:00:00Z").period("2027-06-11T00:00:00Z", "2027-07-11T00:00:00Z")
                        .balance(10_000).monthly(0)
                        .issued(allowance(10_000, "2027-03-11T00:00:00Z", "2027-04-11T00:00:00Z", "free allowance"),
                                allowance(10_000, "2027-06-11T00:00:00Z", "2027-07-11T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-07-11T00:00:00Z"),

                named("a subscription ending exactly at a period end gives no paid allowance for the period it never had",
                        () -> Given.on("pro", "2027-01-10T00:00:00Z").subscriptionEnds("2027-03-10T00:00:00Z").allowance(200_000),
                        "2027-05-01T00:00:00Z")
                        .entries(expire(-200_000, 0, "2027-02-10T00:00:00Z", "period end"),
                                grant(200_000, 200_000, "2027-02-10T00:00:00Z", "pro allowance"),
                                expire(-200_000, 0, "2027-03-10T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-03-10T00:00:00Z", "free allowance"),
                                expire(-10_000, 0, "2027-04-10T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-04-10T00:00:00Z", "free allowance"))
                        .tier("free", null).anchor("2027-03-10T00:00:00Z").period("2027-04-10T00:00:00Z", "2027-05-10T00:00:00Z")
                        .balance(10_000).monthly(0)
                        .issued(allowance(200_000, "2027-02-10T00:00:00Z", "2027-03-10T00:00:00Z", "pro allowance"),
                                allowance(10_000, "2027-03-10T00:00:00Z", "2027-04-10T00:00:00Z", "free allowance"),
                                allowance(10_000, "2027-04-10T00:00:00Z", "2027-05-10T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-05-10T00:00:00Z"),

                named("a cancellation at the period end falls to the default tier at the reset with no paid allowance after it",
                        () -> Given.on("pro", "2027-03-01T00:00:00Z").allowance(150_000), "2027-04-01T00:00:00Z")
                        .before(locked -> locked.setSubscriptionEnd(locked.account().periodEnd, at("2027-03-05T00:00:00Z")))
                        .entries(expire(-150_000, 0, "2027-04-01T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-04-01T00:00:00Z", "free allowance"))
                        .tier("free", null).anchor("2027-04-01T00:00:00Z").period("2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z")
                        .balance(10_000).monthly(0)
                        .issued(allowance(10_000, "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-05-01T00:00:00Z"),

                named("a tier no longer configured falls to the default tier at its reset and drops its subscription end",
                        () -> Given.on("retired-plan", "2027-06-01T00:00:00Z").subscriptionEnds("2027-09-01T00:00:00Z")
                                .allowance(200_000, 198_000), "2027-07-01T00:00:00Z")
                        .entries(expire(-198_000, 0, "2027-07-01T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-07-01T00:00:00Z", "free allowance"))
                        .tier("free", null).period("2027-07-01T00:00:00Z", "2027-08-01T00:00:00Z").balance(10_000).monthly(0)
                        .issued(allowance(10_000, "2027-07-01T00:00:00Z", "2027-08-01T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-08-01T00:00:00Z"),

                named("an expired hold is released at its expiry: held and open reservations drop, the balance stays",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(10_000)
                                .hold(7, 4_000, "2027-03-01T00:02:00Z").hold(8, 1_000, "2027-03-01T02:00:00Z"),
                        "2027-03-01T01:00:00Z")
                        .entries(release(7, -4_000, 10_000, "2027-03-01T00:02:00Z"))
                        .held(1_000, 1).hold(7, expired, 0, "2027-03-01T00:02:00Z").next("2027-03-01T02:00:00Z"),

                named("a bonus expiry leaving the balance below the held amount shrinks the newest hold first, "
                                + "cuts the next partly, and a hold shrunk to nothing stays open",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(3_000)
                                .grant(GrantSource.bonus, 6_000, 6_000, 100, "2027-03-05T00:00:00Z")
                                .hold(1, 4_000, "2027-03-06T00:00:00Z").hold(2, 3_000, "2027-03-06T00:00:00Z"),
                        "2027-03-05T12:00:00Z")
                        .entries(expire(-6_000, 3_000, "2027-03-05T00:00:00Z", "grant expired"),
                                shrink(2, -3_000, 3_000, "2027-03-05T00:00:00Z"),
                                shrink(1, -1_000, 3_000, "2027-03-05T00:00:00Z"))
                        .balance(3_000).held(3_000, 2).hold(1, open, 3_000, null).hold(2, open, 0, null)
                        .changedGrants(2).next("2027-03-06T00:00:00Z"),

                named("holds shrunk at a bonus expiry stay shrunk when they expire later in the same step, released from what is left",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(3_000)
                                .grant(GrantSource.bonus, 6_000, 6_000, 100, "2027-03-05T00:00:00Z")
                                .hold(1, 4_000, "2027-03-06T00:00:00Z").hold(2, 3_000, "2027-03-06T00:00:00Z"),
                        "2027-03-07T00:00:00Z")
                        .entries(expire(-6_000, 3_000, "2027-03-05T00:00:00Z", "grant expired"),
                                shrink(2, -3_000, 3_000, "2027-03-05T00:00:00Z"),
                                shrink(1, -1_000, 3_000, "2027-03-05T00:00:00Z"),
                                release(1, -3_000, 3_000, "2027-03-06T00:00:00Z"),
                                release(2, 0, 3_000, "2027-03-06T00:00:00Z"))
                        .balance(3_000).held(0, 0).hold(1, expired, 0, "2027-03-06T00:00:00Z")
                        .hold(2, expired, 0, "2027-03-06T00:00:00Z").changedGrants(2).next("2027-04-01T00:00:00Z"),

                named("a fall to the default tier shrinks the holds to the new allowance after all the instant's events, "
                                + "not to the zero balance between them",
                        () -> Given.on("pro", "2027-03-01T00:00:00Z").subscriptionEnds("2027-03-11T00:00:00Z").allowance(50_000)
                                .hold(1, 20_000, "2027-03-20T00:00:00Z").hold(2, 8_000, "2027-03-20T00:00:00Z"),
                        "2027-03-15T00:00:00Z")
                        .entries(expire(-50_000, 0, "2027-03-11T00:00:00Z", "tier change to free"),
                                grant(10_000, 10_000, "2027-03-11T00:00:00Z", "free allowance"),
                                shrink(2, -8_000, 10_000, "2027-03-11T00:00:00Z"),
                                shrink(1, -10_000, 10_000, "2027-03-11T00:00:00Z"))
                        .tier("free", null).anchor("2027-03-11T00:00:00Z").period("2027-03-11T00:00:00Z", "2027-04-11T00:00:00Z")
                        .balance(10_000).held(10_000, 2).monthly(0).hold(1, open, 10_000, null).hold(2, open, 0, null)
                        .issued(allowance(10_000, "2027-03-11T00:00:00Z", "2027-04-11T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-03-20T00:00:00Z"),

                named("a downgrade made just before maintenance is fitted by it: newest hold first, at the downgrade's instant",
                        () -> Given.on("pro", "2027-03-01T00:00:00Z").allowance(50_000)
                                .hold(1, 20_000, "2027-03-20T00:00:00Z").hold(2, 8_000, "2027-03-20T00:00:00Z"),
                        "2027-03-15T00:00:00Z")
                        .before(locked -> locked.changeTier("free", at("2027-03-15T00:00:00Z"), null, PLANS))
                        .entries(expire(-50_000, 0, "2027-03-15T00:00:00Z", "tier change to free"),
                                grant(10_000, 10_000, "2027-03-15T00:00:00Z", "free allowance"),
                                shrink(2, -8_000, 10_000, "2027-03-15T00:00:00Z"),
                                shrink(1, -10_000, 10_000, "2027-03-15T00:00:00Z"))
                        .tier("free", null).anchor("2027-03-15T00:00:00Z").period("2027-03-15T00:00:00Z", "2027-04-15T00:00:00Z")
                        .balance(10_000).held(10_000, 2).monthly(0).hold(1, open, 10_000, null).hold(2, open, 0, null)
                        .issued(allowance(10_000, "2027-03-15T00:00:00Z", "2027-04-15T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-03-20T00:00:00Z"),

                named("a reset with a hold open refills before the holds are fitted, so the hold keeps what it holds",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(6_000).hold(1, 5_000, "2027-04-01T00:05:00Z"),
                        "2027-04-01T00:01:00Z")
                        .entries(expire(-6_000, 0, "2027-04-01T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-04-01T00:00:00Z", "free allowance"))
                        .period("2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z").balance(10_000).monthly(0)
                        .issued(allowance(10_000, "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-04-01T00:05:00Z"),

                named("a reset whose new allowance cannot cover what an expired purchase was holding shrinks the hold at the reset, "
                                + "before its expiry and the catch-up that follow",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(1_000)
                                .grant(GrantSource.purchase, 20_000, 20_000, 100, "2027-04-01T00:00:00Z")
                                .hold(1, 15_000, "2027-04-01T00:30:00Z"), "2027-06-15T00:00:00Z")
                        .entries(expire(-1_000, 20_000, "2027-04-01T00:00:00Z", "period end"),
                                expire(-20_000, 0, "2027-04-01T00:00:00Z", "grant expired"),
                                grant(10_000, 10_000, "2027-04-01T00:00:00Z", "free allowance"),
                                shrink(1, -5_000, 10_000, "2027-04-01T00:00:00Z"),
                                release(1, -10_000, 10_000, "2027-04-01T00:30:00Z"),
                                expire(-10_000, 0, "2027-05-01T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-06-01T00:00:00Z", "free allowance"))
                        .period("2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z").balance(10_000).held(0, 0).monthly(0)
                        .hold(1, expired, 0, "2027-04-01T00:30:00Z")
                        .issued(allowance(10_000, "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z", "free allowance"),
                                allowance(10_000, "2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z", "free allowance"))
                        .changedGrants(1, 2).next("2027-07-01T00:00:00Z"),

                named("a bonus and the allowance expiring at the period end both expire before the reset of that instant",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(4_000)
                                .grant(GrantSource.promo, 2_000, 2_000, 100, "2027-04-01T00:00:00Z"), "2027-04-01T00:00:00Z")
                        .entries(expire(-4_000, 2_000, "2027-04-01T00:00:00Z", "period end"),
                                expire(-2_000, 0, "2027-04-01T00:00:00Z", "grant expired"),
                                grant(10_000, 10_000, "2027-04-01T00:00:00Z", "free allowance"))
                        .period("2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z").balance(10_000).monthly(0)
                        .issued(allowance(10_000, "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z", "free allowance"))
                        .changedGrants(1, 2).next("2027-05-01T00:00:00Z"),

                named("a hold expiring at the instant a bonus expires is released, not shrunk",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(2_000)
                                .grant(GrantSource.bonus, 6_000, 6_000, 100, "2027-03-05T00:00:00Z")
                                .hold(1, 5_000, "2027-03-05T00:00:00Z"), "2027-03-10T00:00:00Z")
                        .entries(release(1, -5_000, 8_000, "2027-03-05T00:00:00Z"),
                                expire(-6_000, 2_000, "2027-03-05T00:00:00Z", "grant expired"))
                        .balance(2_000).held(0, 0).hold(1, expired, 0, "2027-03-05T00:00:00Z")
                        .changedGrants(2).next("2027-04-01T00:00:00Z"),

                named("a hold expiring before a bonus expiry, both overdue, is released first, so the expiry shrinks nothing",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(2_000)
                                .grant(GrantSource.bonus, 6_000, 6_000, 100, "2027-03-05T00:00:00Z")
                                .hold(1, 5_000, "2027-03-04T00:00:00Z"), "2027-03-10T00:00:00Z")
                        .entries(release(1, -5_000, 8_000, "2027-03-04T00:00:00Z"),
                                expire(-6_000, 2_000, "2027-03-05T00:00:00Z", "grant expired"))
                        .balance(2_000).held(0, 0).hold(1, expired, 0, "2027-03-04T00:00:00Z")
                        .changedGrants(2).next("2027-04-01T00:00:00Z"),

                named("a hold expiring before the period end, both overdue, is released before the reset",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(6_000).hold(1, 5_000, "2027-03-31T23:00:00Z"),
                        "2027-04-02T00:00:00Z")
                        .entries(release(1, -5_000, 6_000, "2027-03-31T23:00:00Z"),
                                expire(-6_000, 0, "2027-04-01T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-04-01T00:00:00Z", "free allowance"))
                        .period("2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z").balance(10_000).held(0, 0).monthly(0)
                        .hold(1, expired, 0, "2027-03-31T23:00:00Z")
                        .issued(allowance(10_000, "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-05-01T00:00:00Z"),

                named("a hold expiring in a missed period is released in that period, between the resets around it",
                        () -> Given.on("free", "2027-03-01T00:00:00Z").allowance(6_000).hold(1, 5_000, "2027-05-10T00:00:00Z"),
                        "2027-06-15T00:00:00Z")
                        .entries(expire(-6_000, 0, "2027-04-01T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-05-01T00:00:00Z", "free allowance"),
                                release(1, -5_000, 10_000, "2027-05-10T00:00:00Z"),
                                expire(-10_000, 0, "2027-06-01T00:00:00Z", "period end"),
                                grant(10_000, 10_000, "2027-06-01T00:00:00Z", "free allowance"))
                        .period("2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z").balance(10_000).held(0, 0).monthly(0)
                        .hold(1, expired, 0, "2027-05-10T00:00:00Z")
                        .issued(allowance(10_000, "2027-05-01T00:00:00Z", "2027-06-01T00:00:00Z", "free allowance"),
                                allowance(10_000, "2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z", "free allowance"))
                        .changedGrants(1).next("2027-07-01T00:00:00Z")
        ).map(c -> Arguments.of(Named.of(c.name, c)));
    }

    // ---------------------------------------------------------------------------------------------
    // The tests

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void maintenanceAppliesEachDueEventAndLeavesTheExpectedAccount(Case c) {
        Given given = c.given.get();
        LockedAccount locked = given.lock();
        long balanceBefore = locked.account().balance;
        long heldBefore = locked.account().held;

        c.before.accept(locked);
        locked.maintain(c.now, PLANS);

        Account a = locked.account();
        assertAll(
                () -> assertEquals(c.expectedState(), State.of(a), "account fields"),
                () -> assertEquals(c.entries, Entry.of(locked.entries()), "ledger entries, in order"),
                () -> assertEquals(c.expectedHolds(), HoldState.of(given.holds), "holds"),
                () -> assertEquals(c.issued, Issued.of(locked.newGrants()), "grants issued"),
                () -> assertEquals(c.changedGrants, locked.changedGrants().stream().map(g -> g.grantId)
                        .collect(Collectors.toCollection(TreeSet::new)), "stored grants changed"),
                () -> assertInvariants(locked, given, balanceBefore, heldBefore, c.now));
    }

    /**
     * The holds are fitted in time order, so maintenance applied lazily in one step leaves the same
     * account as a scheduler that ran at every event's instant on the way (the ledger between
     * differs only by the allowances of the missed periods, which the lazy path never issues).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("casesMaintainedAsGiven")
    void maintainingAtEveryEventOnTheWayEndsInTheSameAccountAsOneLateStep(Case c) {
        LockedAccount lazy = c.given.get().lock();
        lazy.maintain(c.now, PLANS);
        Given stepwise = c.given.get();
        LockedAccount scheduled = stepwise.lock();
        Set<Instant> instants = lazy.entries().stream().map(LockedAccount.PendingEntry::at).collect(Collectors.toCollection(TreeSet::new));
        for (Instant instant : instants) {
            scheduled.maintain(instant, PLANS);
        }
        scheduled.maintain(c.now, PLANS);

        assertAll(
                () -> assertEquals(c.expectedState(), State.of(scheduled.account()), "account fields"),
                () -> assertEquals(c.expectedHolds(), HoldState.of(stepwise.holds), "holds"));
    }

    @Test
    void maintainingAgainAtTheSameInstantChangesNothing() {
        LockedAccount locked = Given.on("free", "2027-03-01T00:00:00Z").allowance(3_000)
                .grant(GrantSource.bonus, 6_000, 6_000, 100, "2027-03-05T00:00:00Z")
                .hold(1, 4_000, "2027-03-06T00:00:00Z").hold(2, 3_000, "2027-03-06T00:00:00Z").lock();
        Instant now = at("2027-04-20T00:00:00Z");
        locked.maintain(now, PLANS);
        State after = State.of(locked.account());
        int entries = locked.entries().size();

        locked.maintain(now, PLANS);

        assertEquals(after, State.of(locked.account()));
        assertEquals(entries, locked.entries().size(), "no further entries");
    }

    /** The ledger invariants of the design, in memory. */
    private static void assertInvariants(LockedAccount locked, Given given, long balanceBefore, long heldBefore, Instant now) {
        Account a = locked.account();
        List<LockedAccount.PendingEntry> entries = locked.entries();
        long running = balanceBefore;
        for (LockedAccount.PendingEntry e : entries) {
            running += e.amount();
            assertEquals(running, e.balanceAfter(), "balanceAfter is the running sum of the amounts: " + e);
        }
        List<Reservation> openHolds = given.holds.stream().filter(r -> r.status == open).toList();
        List<CreditGrant> allGrants = new ArrayList<>(given.grants);
        allGrants.addAll(locked.newGrants());
        assertAll("invariants",
                () -> assertEquals(a.balance, locked.openGrants().stream().mapToLong(g -> g.remaining).sum(),
                        "balance = sum of the open grants' remaining"),
                () -> assertEquals(a.balance - balanceBefore, entries.stream().mapToLong(LockedAccount.PendingEntry::amount).sum(),
                        "sum of the entries' amounts = change of the balance"),
                () -> assertEquals(a.held, openHolds.stream().mapToLong(r -> r.held).sum(), "held = sum of the open holds' held"),
                () -> assertEquals(a.openReservations, openHolds.size(), "openReservations = number of open holds"),
                () -> assertEquals(a.held - heldBefore, entries.stream().mapToLong(LockedAccount.PendingEntry::heldChange).sum(),
                        "sum of the entries' held changes = change of the held amount"),
                () -> assertTrue(a.held <= a.balance && a.held >= 0, "0 <= held <= balance"),
                () -> assertTrue(allGrants.stream().allMatch(g -> g.amount - g.consumed - g.expired == g.remaining && g.remaining >= 0),
                        "amount - consumed - expired = remaining >= 0 for every grant"),
                () -> assertTrue(locked.openGrants().stream().noneMatch(g -> g.expiresBy(now)), "no open grant is expired"),
                () -> assertTrue(openHolds.stream().noneMatch(r -> r.expiresBy(now)), "no open hold is expired"),
                () -> assertTrue(a.nextMaintenanceAt.isAfter(now), "nothing is left due"));
    }

    // ---------------------------------------------------------------------------------------------
    // What a case starts from

    /** An account at the start of its current period, with its grants and open holds; the balance and held follow them. */
    static final class Given {
        final Account account = new Account();
        final List<CreditGrant> grants = new ArrayList<>();
        final List<Reservation> holds = new ArrayList<>();
        private long nextGrantId = 1;

        static Given on(String tier, String anchor) {
            Given g = new Given();
            g.account.accountId = "acc-1";
            g.account.tier = tier;
            g.account.periodAnchor = at(anchor);
            g.account.periodStart = at(anchor);
            g.account.periodEnd = Periods.boundary(at(anchor), 1);
            g.account.createdAt = at(anchor);
            g.account.updatedAt = at(anchor);
            return g;
        }

        Given subscriptionEnds(String iso) {
            account.subscriptionEndsAt = at(iso);
            return this;
        }

        /** The current period's allowance of the tier, {@code remaining} of it left. */
        Given allowance(long remaining) {
            return allowance(PLANS.allowanceTokens(account.tier), remaining);
        }

        Given allowance(long amount, long remaining) {
            CreditGrant g = add(GrantSource.allowance, amount, remaining, LockedAccount.DEFAULT_PRIORITY, account.periodEnd);
            g.reason = account.tier + " allowance";
            return this;
        }

        Given grant(GrantSource source, long amount, long remaining, int priority, String expiresAt) {
            add(source, amount, remaining, priority, at(expiresAt));
            return this;
        }

        private CreditGrant add(GrantSource source, long amount, long remaining, int priority, Instant expiresAt) {
            CreditGrant g = new CreditGrant();
            g.accountId = account.accountId;
            g.grantId = nextGrantId++;
            g.source = source;
            g.amount = amount;
            g.consumed = amount - remaining;
            g.remaining = remaining;
            g.priority = priority;
            g.effectiveAt = account.periodStart;
            g.createdAt = account.periodStart;
            g.expiresAt = expiresAt;
            grants.add(g);
            account.balance += remaining;
            account.monthlyTokensUsed += g.consumed;
            account.totalTokensUsed += g.consumed;
            return g;
        }

        Given hold(long id, long held, String expiresAt) {
            Reservation r = new Reservation();
            r.accountId = account.accountId;
            r.reservationId = id;
            r.status = open;
            r.feature = "llm_call";
            r.metered = true;
            r.requested = held;
            r.held = held;
            r.createdAt = account.periodStart;
            r.expiresAt = at(expiresAt);
            holds.add(r);
            account.held += held;
            account.openReservations += 1;
            return this;
        }

        LockedAccount lock() {
            account.nextMaintenanceAt = Schedule.nextMaintenanceAt(account, grants, holds, PLANS);
            return new LockedAccount(account, grants, holds, Actors.API);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What a case expects

    record State(String tier, Instant subscriptionEndsAt, Instant periodAnchor, Instant periodStart, Instant periodEnd,
                 long balance, long held, int openReservations, long monthlyTokensUsed, Instant nextMaintenanceAt) {
        static State of(Account a) {
            return new State(a.tier, a.subscriptionEndsAt, a.periodAnchor, a.periodStart, a.periodEnd, a.balance, a.held,
                    a.openReservations, a.monthlyTokensUsed, a.nextMaintenanceAt);
        }
    }

    /** A ledger entry as pinned: reservation is the hold's id for a release or shrink, else null. */
    record Entry(EntryKind kind, long amount, long balanceAfter, long heldChange, Instant at, Long reservation, String reason) {
        static List<Entry> of(List<LockedAccount.PendingEntry> entries) {
            return entries.stream().map(e -> new Entry(e.kind(), e.amount(), e.balanceAfter(), e.heldChange(), e.at(),
                    e.hold() == null ? null : e.hold().reservationId, e.reason())).toList();
        }
    }

    static Entry grant(long amount, long balanceAfter, String at, String reason) {
        return new Entry(EntryKind.grant, amount, balanceAfter, 0, at(at), null, reason);
    }

    static Entry expire(long amount, long balanceAfter, String at, String reason) {
        return new Entry(EntryKind.expire, amount, balanceAfter, 0, at(at), null, reason);
    }

    static Entry release(long reservation, long heldChange, long balanceAfter, String at) {
        return new Entry(EntryKind.release, 0, balanceAfter, heldChange, at(at), reservation, "reservation expired");
    }

    static Entry shrink(long reservation, long heldChange, long balanceAfter, String at) {
        return new Entry(EntryKind.shrink, 0, balanceAfter, heldChange, at(at), reservation, SHRUNK);
    }

    record HoldState(long reservationId, ReservationStatus status, long held, Instant resolvedAt) {
        static Map<Long, HoldState> of(List<Reservation> holds) {
            Map<Long, HoldState> states = new LinkedHashMap<>();
            holds.forEach(r -> states.put(r.reservationId, new HoldState(r.reservationId, r.status, r.held, r.resolvedAt)));
            return states;
        }
    }

    record Issued(GrantSource source, long amount, long remaining, int priority, Instant createdAt, Instant expiresAt, String reason) {
        static List<Issued> of(List<CreditGrant> grants) {
            return grants.stream().map(g -> new Issued(g.source, g.amount, g.remaining, g.priority, g.createdAt, g.expiresAt, g.reason))
                    .toList();
        }
    }

    /** An allowance issued at {@code at}, expiring at {@code expiresAt}, spent or expired since if a later one follows. */
    static Issued allowance(long amount, String at, String expiresAt, String reason) {
        return new Issued(GrantSource.allowance, amount, -1, LockedAccount.DEFAULT_PRIORITY, at(at), at(expiresAt), reason);
    }

    static Case named(String name, Supplier<Given> given, String now) {
        return new Case(name, given, at(now));
    }

    /** A case: unless a step below says otherwise, the account's fields and holds are expected unchanged. */
    static final class Case {
        final String name;
        final Supplier<Given> given;
        final Instant now;
        Consumer<LockedAccount> before = locked -> {
        };
        boolean hasBefore;
        List<Entry> entries = List.of();
        List<Issued> issued = List.of();
        Set<Long> changedGrants = new TreeSet<>();
        private final Account expected = new Account();
        private final Map<Long, HoldState> holds;

        Case(String name, Supplier<Given> given, Instant now) {
            this.name = name;
            this.given = given;
            this.now = now;
            Account a = given.get().account;
            expected.tier = a.tier;
            expected.subscriptionEndsAt = a.subscriptionEndsAt;
            expected.periodAnchor = a.periodAnchor;
            expected.periodStart = a.periodStart;
            expected.periodEnd = a.periodEnd;
            expected.balance = a.balance;
            expected.held = a.held;
            expected.openReservations = a.openReservations;
            expected.monthlyTokensUsed = a.monthlyTokensUsed;
            holds = HoldState.of(given.get().holds);
        }

        Case before(Consumer<LockedAccount> change) {
            before = change;
            hasBefore = true;
            return this;
        }

        Case entries(Entry... pinned) {
            entries = List.of(pinned);
            return this;
        }

        Case tier(String tier, String subscriptionEndsAt) {
            expected.tier = tier;
            expected.subscriptionEndsAt = at(subscriptionEndsAt);
            return this;
        }

        Case anchor(String iso) {
            expected.periodAnchor = at(iso);
            return this;
        }

        Case period(String start, String end) {
            expected.periodStart = at(start);
            expected.periodEnd = at(end);
            return this;
        }

        Case balance(long tokens) {
            expected.balance = tokens;
            return this;
        }

        Case held(long tokens, int openReservations) {
            expected.held = tokens;
            expected.openReservations = openReservations;
            return this;
        }

        Case monthly(long tokens) {
            expected.monthlyTokensUsed = tokens;
            return this;
        }

        Case hold(long id, ReservationStatus status, long held, String resolvedAt) {
            holds.put(id, new HoldState(id, status, held, at(resolvedAt)));
            return this;
        }

        /** The grants issued, in order; each but the last is spent or expired by the end, the last holds its amount. */
        Case issued(Issued... grants) {
            List<Issued> list = new ArrayList<>();
            for (int i = 0; i < grants.length; i++) {
                Issued g = grants[i];
                long remaining = i == grants.length - 1 ? g.amount() : 0;
                list.add(new Issued(g.source(), g.amount(), remaining, g.priority(), g.createdAt(), g.expiresAt(), g.reason()));
            }
            issued = List.copyOf(list);
            return this;
        }

        Case changedGrants(long... ids) {
            changedGrants = Arrays.stream(ids).boxed().collect(Collectors.toCollection(TreeSet::new));
            return this;
        }

        Case next(String iso) {
            expected.nextMaintenanceAt = at(iso);
            return this;
        }

        State expectedState() {
            return State.of(expected);
        }

        Map<Long, HoldState> expectedHolds() {
            return holds;
        }
    }
}
