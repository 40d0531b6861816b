package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.open;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.support.ClockStart;
import dev.creditledger.support.LedgerTest;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The seed's four test cases, through HTTP. */
@QuarkusTest
@ClockStart("2026-03-10T12:00:00Z")
class SeedScenariosTest extends LedgerTest {

    @Test
    void freeUserWithOneCreditSucceedsOnceThenGets429() {
        String user = newUserId("seed1");
        openFree(user);
        for (int i = 0; i < 4; i++) {
            codeGeneration(user).statusCode(200);
        }
        codeGeneration(user).statusCode(200)
                .body("success", equalTo(true))
                .body("creditInfo.tokensUsed", equalTo(2000))
                .body("creditInfo.creditsRemaining", equalTo(0))
                .body("creditInfo.totalTokensUsed", equalTo(10000));
        String before = ledger.snapshot(user);
        codeGeneration(user).statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("type", equalTo("urn:credit-ledger:problem:insufficient-credits"))
                .body("error", equalTo("Insufficient credits"))
                .body("detail", equalTo("You have 0 credits remaining (0 tokens)"))
                .body("remainingCredits", equalTo(0))
                .body("maxTokens", equalTo(0));
        assertEquals(before, ledger.snapshot(user), "a refused consume changed nothing");
    }

    @Test
    void insufficientCreditsCarriesRetryAfterUntilTheReset() {
        String user = newUserId("seed1b");
        openFree(user);
        for (int i = 0; i < 5; i++) {
            codeGeneration(user).statusCode(200);
        }
        clock.advance(Duration.ofDays(10));
        long secondsLeft = Duration.between(clock.instant(), java.time.Instant.parse(
                status(user).extract().path("monthlyResetDate"))).getSeconds();
        String retryAfter = codeGeneration(user).statusCode(429).extract().header("Retry-After");
        long retry = Long.parseLong(retryAfter);
        // The clock stands at a whole second, so the rounding is known: whole seconds until the
        // reset, plus one (InsufficientCredits.secondsUntil), the same rule as a hold's Retry-After.
        assertEquals(secondsLeft + 1, retry, "Retry-After for the " + secondsLeft + " s until the reset");
    }

    @Test
    void proUserRunsTenRequestsAndHasNinetyLeft() {
        String user = newUserId("seed2");
        open(user, "{\"tier\":\"pro\",\"subscriptionDays\":30}").statusCode(201)
                .body("credits", equalTo(100)).body("isSubscribed", equalTo(true)).body("subscriptionTier", equalTo("pro"));
        for (int i = 0; i < 10; i++) {
            codeGeneration(user).statusCode(200);
        }
        status(user).statusCode(200).body("credits", equalTo(90)).body("availableTokens", equalTo(180000))
                .body("totalTokensUsed", equalTo(20000)).body("monthlyTokensUsed", equalTo(20000));
    }

    @Test
    void freeUserWithFiveCreditsUpgradesToProAndHasOneHundred() {
        String user = newUserId("seed3");
        openFree(user).body("credits", equalTo(5)).body("availableTokens", equalTo(10000));
        dev.creditledger.support.Api.subscribe(user, "{\"tier\":\"pro\",\"days\":30}").statusCode(200)
                .body("credits", equalTo(100)).body("subscriptionTier", equalTo("pro")).body("isSubscribed", equalTo(true));
        status(user).body("credits", equalTo(100)).body("grants.size()", equalTo(1)).body("grants[0].source", equalTo("allowance"));
    }

    @Test
    void proUserWhoseSubscriptionEndedIsDowngradedToFree() {
        assertEquals("2026-03-10T12:00:00Z", clock.instant().toString(), "the class's start");
        String user = newUserId("seed4");
        String past = "2026-03-09T12:00:00Z";
        open(user, "{\"tier\":\"pro\",\"subscriptionEndsAt\":\"" + past + "\"}").statusCode(201);
        status(user).statusCode(200)
                .body("subscriptionTier", equalTo("free"))
                .body("isSubscribed", equalTo(false))
                .body("credits", equalTo(5))
                .body("subscriptionEndsAt", equalTo(null))
                .body("periodStart", equalTo("2026-03-10T12:00:00Z"))
                .body("monthlyResetDate", equalTo("2026-04-10T12:00:00Z"));
    }
}
