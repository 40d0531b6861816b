package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.grant;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.open;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.maintenance.MaintenanceJobs;
import dev.creditledger.support.ClockStart;
import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Race;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Hundreds of real consume requests racing against one account on a real PostgreSQL. */
@QuarkusTest
@ClockStart("2026-06-03T18:00:00Z")
class ConsumeRaceTest extends LedgerTest {

    private static final int REQUESTS = 200;
    private static final int THREADS = 64;

    @Inject
    MaintenanceJobs jobs;

    @Test
    void twoHundredConsumesAgainstFiftyCreditsPayExactlyFifty() {
        String user = newUserId("race50");
        openFree(user);
        grant(user, "{\"credits\":45}").statusCode(201);
        status(user).body("credits", equalTo(50));

        Map<Integer, Long> statuses = count(Race.run(REQUESTS, THREADS, i -> codeGeneration(user).extract().statusCode())
                .overlapping());

        assertEquals(Map.of(200, 50L, 429, 150L), statuses);
        status(user).body("credits", equalTo(0)).body("availableTokens", equalTo(0)).body("totalTokensUsed", equalTo(100000));
        assertEquals(50, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'consume'", user));
    }

    @Test
    void consumesRacingAPeriodResetSpendEachAllowanceAtMostOnceAndResetOnce() {
        String user = newUserId("racereset");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        for (int i = 0; i < 90; i++) {
            codeGeneration(user).statusCode(200);
        }
        Instant periodEnd = Instant.parse(status(user).extract().path("monthlyResetDate"));
        clock.set(periodEnd.minusSeconds(1));

        List<Integer> codes = Race.run(REQUESTS, THREADS, i -> {
            if (i == REQUESTS / 4) {
                clock.set(periodEnd.plusSeconds(1));
                jobs.maintainDueAccounts().await().atMost(Duration.ofSeconds(60));
            }
            return codeGeneration(user).extract().statusCode();
        }).overlapping();

        long paid = paidOnlyWith200Or429(codes);
        List<long[]> allowances = twoAllowances(user, "one allowance at sign-up and exactly one at the reset");
        long[] old = allowances.get(0);
        long[] current = allowances.get(1);
        assertEquals(0, old[2], "the old allowance's rest expired at the reset");
        assertEquals(200000, old[0] + old[1], "the old allowance was spent or expired, nothing else");
        assertEquals(paid * 2000, (old[0] - 90 * 2000) + current[0], "every paid request was paid by one of the allowances");
        // An expire entry is written only for a remainder: none when the race spent the old allowance before the reset.
        assertEquals(old[1] > 0 ? 1 : 0, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'expire'", user));
        status(user).body("monthlyTokensUsed", equalTo((int) current[0]))
                .body("availableTokens", equalTo((int) (200000 - current[0])));
    }

    @Test
    void consumesRacingASubscriptionExpiryFallToFreeExactlyOnce() {
        String user = newUserId("raceexpiry");
        open(user, "{\"tier\":\"pro\",\"subscriptionDays\":3}").statusCode(201);
        Instant endsAt = Instant.parse(status(user).extract().path("subscriptionEndsAt"));
        clock.set(endsAt.minusSeconds(1));

        List<Integer> codes = Race.run(REQUESTS, THREADS, i -> {
            if (i == REQUESTS / 2) {
                clock.set(endsAt.plusSeconds(1));
            }
            return codeGeneration(user).extract().statusCode();
        }).overlapping();

        long paid = paidOnlyWith200Or429(codes);
        List<long[]> allowances = twoAllowances(user, "the pro allowance and exactly one free allowance");
        long[] pro = allowances.get(0);
        long[] free = allowances.get(1);
        assertEquals(0, pro[2], "the pro allowance's rest expired with the subscription");
        assertTrue(free[0] <= 10000, "free pays at most its 5 credits");
        assertEquals(paid * 2000, pro[0] + free[0], "every paid request was paid by one of the allowances");
        status(user).body("subscriptionTier", equalTo("free")).body("isSubscribed", equalTo(false))
                .body("availableTokens", equalTo((int) (10000 - free[0])));
    }

    /**
     * Each racing consume may be paid or refused (which ones depends on the interleaving); the
     * test pins the sum instead: the allowances' grant rows account for exactly the paid ones.
     */
    private static long paidOnlyWith200Or429(List<Integer> codes) {
        assertEquals(REQUESTS, codes.stream().filter(c -> c == 200 || c == 429).count(), "only 200 and 429: " + count(codes));
        return codes.stream().filter(c -> c == 200).count();
    }

    /** The account's allowance grants as {consumed, expired, remaining}, oldest first; there must be two. */
    private List<long[]> twoAllowances(String user, String why) {
        List<String> rows = ledger.strings("select consumed || ',' || expired || ',' || remaining from credit_grant "
                + "where account_id = ? and source = 'allowance' order by grant_id", user);
        assertEquals(2, rows.size(), why + ": " + rows);
        return rows.stream().map(ConsumeRaceTest::parse).toList();
    }

    private static long[] parse(String csv) {
        String[] parts = csv.split(",");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }

    private static Map<Integer, Long> count(List<Integer> codes) {
        return codes.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
