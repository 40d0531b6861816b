package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.grant;
import static dev.creditledger.support.Api.ledger;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.open;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static dev.creditledger.support.Api.subscribe;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.support.LedgerTest;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Period resets, expiries, tier changes and grant order, driven by a moved clock. */
@QuarkusTest
class PeriodAndExpiryTest extends LedgerTest {

    @Test
    void aResetAtTheEndOfJanuaryThirtyFirstsPeriodRefillsOnFebruary28th() {
        clock.set("2027-01-31T10:00:00Z");
        String user = newUserId("jan31");
        openFree(user).body("monthlyResetDate", equalTo("2027-02-28T10:00:00Z"));
        codeGeneration(user).statusCode(200);
        codeGeneration(user).statusCode(200);

        clock.set("2027-02-28T09:59:59Z");
        status(user).body("credits", equalTo(3));
        clock.set("2027-02-28T10:00:00Z");
        status(user).body("credits", equalTo(5)).body("monthlyTokensUsed", equalTo(0)).body("totalTokensUsed", equalTo(4000))
                .body("periodStart", equalTo("2027-02-28T10:00:00Z")).body("monthlyResetDate", equalTo("2027-03-31T10:00:00Z"));
        ledger(user).body("entries.kind", contains("grant", "expire", "consume", "consume", "grant"))
                .body("entries[1].amountTokens", equalTo(-6000)).body("entries[1].createdAt", equalTo("2027-02-28T10:00:00Z"));
    }

    @Test
    void aLeapYearResetFallsOnFebruary29th() {
        clock.set("2028-01-31T00:00:00Z");
        String user = newUserId("leap");
        openFree(user).body("monthlyResetDate", equalTo("2028-02-29T00:00:00Z"));
        clock.set("2028-02-29T00:00:01Z");
        status(user).body("monthlyResetDate", equalTo("2028-03-31T00:00:00Z"));
    }

    @Test
    void severalMissedPeriodsCatchUpInOneStepWithOnlyTheCurrentAllowance() {
        clock.set("2027-05-31T08:00:00Z");
        String user = newUserId("missed");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        codeGeneration(user).statusCode(200);
        clock.set("2027-11-15T00:00:00Z");
        status(user).body("credits", equalTo(100)).body("monthlyTokensUsed", equalTo(0))
                .body("periodStart", equalTo("2027-10-31T08:00:00Z")).body("monthlyResetDate", equalTo("2027-11-30T08:00:00Z"))
                .body("grants.size()", equalTo(1));
        ledger(user).body("entries.kind", contains("grant", "expire", "consume", "grant"))
                .body("entries[0].createdAt", equalTo("2027-10-31T08:00:00Z"))
                .body("entries[1].createdAt", equalTo("2027-06-30T08:00:00Z"));
    }

    @Test
    void aConsumeAfterTheResetIsPaidFromTheNewAllowanceNeverFromTheExpiredOne() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("lazy");
        openFree(user);
        clock.set("2027-04-01T00:00:00Z");
        codeGeneration(user).statusCode(200).body("creditInfo.creditsRemaining", equalTo(4));
        List<Integer> paidBy = ledger(user).extract().path("entries[0].grants.grantId");
        int newAllowance = ledger(user).extract().path("entries[1].grants[0].grantId");
        assertEquals(List.of(newAllowance), paidBy);
    }

    @Test
    void anExpiredBonusNeverPays() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("bonusexp");
        openFree(user);
        grant(user, "{\"credits\":3,\"priority\":0,\"expiresAt\":\"2027-03-05T00:00:00Z\",\"reason\":\"trial\"}").statusCode(201);
        status(user).body("credits", equalTo(8)).body("grants[0].source", equalTo("bonus"));
        clock.set("2027-03-05T00:00:00Z");
        codeGeneration(user).statusCode(200).body("creditInfo.creditsRemaining", equalTo(4));
        status(user).body("grants.source", contains("allowance"));
        ledger(user).body("entries.kind", contains("consume", "expire", "grant", "grant"))
                .body("entries[1].reason", equalTo("grant expired")).body("entries[1].amountTokens", equalTo(-6000));
    }

    @Test
    void grantsAreDrawnByPriorityThenSoonestExpiryThenAge() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("order");
        openFree(user);
        int never = grant(user, "{\"credits\":1,\"reason\":\"never expires\"}").statusCode(201).extract().path("grantId");
        int late = grant(user, "{\"credits\":1,\"expiresAt\":\"2027-03-20T00:00:00Z\"}").statusCode(201).extract().path("grantId");
        int soon = grant(user, "{\"credits\":1,\"expiresAt\":\"2027-03-10T00:00:00Z\"}").statusCode(201).extract().path("grantId");
        int first = grant(user, "{\"credits\":1,\"priority\":10}").statusCode(201).extract().path("grantId");
        int allowance = status(user).extract().path("grants.find { it.source == 'allowance' }.grantId");
        status(user).body("grants.grantId", contains(first, soon, late, allowance, never));

        for (int i = 0; i < 9; i++) {
            codeGeneration(user).statusCode(200);
        }
        List<Integer> payers = ledger(user).extract().path("entries.findAll { it.kind == 'consume' }.grants.flatten().grantId");
        assertEquals(List.of(never, allowance, allowance, allowance, allowance, allowance, late, soon, first), payers,
                "newest first: first, soon, late, the allowance, then the grant that never expires");
    }

    @Test
    void aDebitLargerThanOneGrantIsSplitAcrossGrantsInOrder() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("split");
        openFree(user);
        int bonus = grant(user, "{\"credits\":1,\"priority\":0}").statusCode(201).extract().path("grantId");
        int allowance = status(user).extract().path("grants.find { it.source == 'allowance' }.grantId");
        dev.creditledger.support.Api.consume(user, "{\"feature\":\"llm_call\",\"tokens\":3500}").statusCode(200)
                .body("creditInfo.tokensUsed", equalTo(3500)).body("creditInfo.tokensRemaining", equalTo(8500))
                .body("creditInfo.creditsRemaining", equalTo(4.25f));
        ledger(user).body("entries[0].grants.grantId", contains(bonus, allowance))
                .body("entries[0].grants.amount", contains(2000, 1500)).body("entries[0].tokens", equalTo(3500));
    }

    @Test
    void renewingTheActiveTierExtendsFromItsEndWithoutANewAllowance() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("renew");
        open(user, "{\"tier\":\"pro\",\"subscriptionDays\":30}").statusCode(201);
        codeGeneration(user).statusCode(200);
        subscribe(user, "{\"tier\":\"pro\",\"days\":30}").statusCode(200)
                .body("subscriptionEndsAt", equalTo("2027-04-30T00:00:00Z")).body("credits", equalTo(99));
    }

    @Test
    void downgradingNowStartsAFreePeriodWithTheFreeAllowance() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("downnow");
        open(user, "{\"tier\":\"pro\",\"subscriptionDays\":30}").statusCode(201);
        clock.set("2027-03-05T00:00:00Z");
        given().delete("/v1/accounts/{id}/subscription", user).then().statusCode(200)
                .body("subscriptionTier", equalTo("free")).body("credits", equalTo(5)).body("subscriptionEndsAt", equalTo(null))
                .body("periodStart", equalTo("2027-03-05T00:00:00Z")).body("monthlyResetDate", equalTo("2027-04-05T00:00:00Z"));
    }

    @Test
    void cancellingAtPeriodEndKeepsTheTierUntilThenAndFallsToFreeAtTheReset() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("downlater");
        open(user, "{\"tier\":\"pro\",\"subscriptionDays\":365}").statusCode(201);
        given().delete("/v1/accounts/{id}/subscription?atPeriodEnd=true", user).then().statusCode(200)
                .body("subscriptionTier", equalTo("pro")).body("credits", equalTo(100))
                .body("subscriptionEndsAt", equalTo("2027-04-01T00:00:00Z"));
        clock.set("2027-04-01T00:00:00Z");
        status(user).body("subscriptionTier", equalTo("free")).body("credits", equalTo(5))
                .body("monthlyResetDate", equalTo("2027-05-01T00:00:00Z"));
        assertEquals(1, ledger.count("select count(*) from ledger_entry where account_id = ? and reason = 'free allowance'", user));
    }

    @Test
    void aSubscriptionEndingMidPeriodFallsToFreeAtItsEndEvenWhenSeenMuchLater() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("expirelate");
        open(user, "{\"tier\":\"pro\",\"subscriptionDays\":10}").statusCode(201);
        clock.set("2027-06-20T00:00:00Z");
        status(user).body("subscriptionTier", equalTo("free")).body("credits", equalTo(5))
                .body("periodStart", equalTo("2027-06-11T00:00:00Z")).body("monthlyResetDate", equalTo("2027-07-11T00:00:00Z"));
        ledger(user).body("entries.kind", contains("grant", "expire", "grant", "expire", "grant"))
                .body("entries[2].createdAt", equalTo("2027-03-11T00:00:00Z"))
                .body("entries[3].createdAt", equalTo("2027-03-11T00:00:00Z"));
    }

    @Test
    void upgradingExpiresTheFreeRemainderAndIssuesTheFullProAllowance() {
        clock.set("2027-03-01T00:00:00Z");
        String user = newUserId("upgrade");
        openFree(user);
        codeGeneration(user).statusCode(200);
        clock.advance(Duration.ofDays(3));
        subscribe(user, "{\"tier\":\"pro\",\"endsAt\":\"2027-06-01T00:00:00Z\"}").statusCode(200)
                .body("credits", equalTo(100)).body("monthlyTokensUsed", equalTo(0)).body("totalTokensUsed", equalTo(2000))
                .body("periodStart", equalTo("2027-03-04T00:00:00Z")).body("subscriptionEndsAt", equalTo("2027-06-01T00:00:00Z"));
        ledger(user).body("entries.kind", contains("grant", "expire", "consume", "grant"))
                .body("entries[1].amountTokens", equalTo(-8000)).body("entries[1].reason", equalTo("tier change to pro"));
        Instant end = Instant.parse(status(user).extract().path("subscriptionEndsAt"));
        assertEquals(Instant.parse("2027-06-01T00:00:00Z"), end);
    }

    @Test
    void aBonusExpiringBetweenMissedResetsIsExpiredInItsOwnPeriodInTimeOrder() {
        clock.set("2027-08-01T00:00:00Z");
        String user = newUserId("order2");
        openFree(user);
        grant(user, "{\"credits\":2,\"expiresAt\":\"2027-09-15T00:00:00Z\"}").statusCode(201);
        clock.set("2027-11-20T00:00:00Z");
        status(user).body("credits", equalTo(5)).body("periodStart", equalTo("2027-11-01T00:00:00Z"));
        List<String> times = ledger.strings("select created_at::text from ledger_entry where account_id = ? order by entry_id", user);
        assertEquals(times.stream().sorted().toList(), times, "entries are written in time order: " + times);
        ledger(user).body("entries.reason", contains("free allowance", "period end", "grant expired", "free allowance", "period end",
                null, "free allowance"));
    }

    @Test
    void aSubscriptionEndingExactlyOnAResetSeenLateGrantsNoAllowanceForThePeriodItNeverHad() {
        clock.set("2027-01-10T00:00:00Z");
        String user = newUserId("boundary");
        open(user, "{\"tier\":\"pro\",\"subscriptionEndsAt\":\"2027-03-10T00:00:00Z\"}").statusCode(201);
        clock.set("2027-05-01T00:00:00Z");
        status(user).body("subscriptionTier", equalTo("free")).body("periodStart", equalTo("2027-04-10T00:00:00Z"));
        assertEquals(0, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'grant' "
                + "and reason = 'pro allowance' and created_at = '2027-03-10T00:00:00Z'::timestamptz", user),
                "no pro allowance granted (and expired) at the instant the subscription ended");
        assertEquals(2, ledger.count("select count(*) from ledger_entry where account_id = ? and reason = 'pro allowance'", user),
                "pro allowances for the periods from Jan 10 and from Feb 10 only");
    }

    @Test
    void anAccountOnATierNoLongerConfiguredFallsToFreeAtItsReset() {
        clock.set("2027-06-01T00:00:00Z");
        String user = newUserId("retired");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        ledger.execute("update account set tier = 'retired-plan' where account_id = ?", user);
        codeGeneration(user).statusCode(200);
        clock.set("2027-07-01T00:00:00Z");
        status(user).statusCode(200).body("subscriptionTier", equalTo("free")).body("credits", equalTo(5));
    }

    @Test
    void retryAfterIsLeftOutWhenTheResetAfterACancellationWouldNotCoverTheCost() {
        clock.set("2027-06-01T00:00:00Z");
        String user = newUserId("cancelretry");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        given().delete("/v1/accounts/{id}/subscription?atPeriodEnd=true", user).then().statusCode(200);
        dev.creditledger.support.Api.consume(user, "{\"feature\":\"llm_call\",\"tokens\":150000}").statusCode(200);
        dev.creditledger.support.Api.consume(user, "{\"feature\":\"llm_call\",\"tokens\":100000}").statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.nullValue());
        dev.creditledger.support.Api.consume(user, "{\"feature\":\"llm_call\",\"tokens\":60000}").statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.nullValue());
    }
}
