package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.consume;
import static dev.creditledger.support.Api.grant;
import static dev.creditledger.support.Api.json;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.open;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.maintenance.MaintenanceJobs;
import dev.creditledger.support.ClockStart;
import dev.creditledger.support.LedgerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reservations: hold, settle, release and expiry, with the balance, the held amount and the ledger
 * checked after each step (and the invariants of docs/design.md after every test). Free plan: 10,000 tokens.
 */
@QuarkusTest
@ClockStart("2026-04-14T09:30:00Z")
class ReservationTest extends LedgerTest {

    static ValidatableResponse hold(String userId, String body) {
        return json().body(body).post("/v1/accounts/{id}/reservations", userId).then();
    }

    static long holdLlm(String userId, long tokens) {
        return hold(userId, "{\"feature\":\"llm_call\",\"tokens\":" + tokens + "}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
    }

    static ValidatableResponse settle(String userId, long reservationId, String body) {
        return (body == null ? json() : json().body(body))
                .post("/v1/accounts/{id}/reservations/{r}/settle", userId, reservationId).then();
    }

    static ValidatableResponse release(String userId, long reservationId) {
        return given().post("/v1/accounts/{id}/reservations/{r}/release", userId, reservationId).then();
    }

    @Inject
    MaintenanceJobs jobs;

    @Test
    void aHoldSetsTokensAsideAndTheSettleChargesTheActualUsage() {
        String user = newUserId("hold");
        openFree(user);

        ValidatableResponse held = hold(user, "{\"feature\":\"llm_call\",\"tokens\":4000,\"ttlSeconds\":120}").statusCode(201)
                .body("reservation.status", equalTo("open"))
                .body("reservation.userId", equalTo(user))
                .body("reservation.feature", equalTo("llm_call"))
                .body("reservation.requestedTokens", equalTo(4000))
                .body("reservation.heldTokens", equalTo(4000))
                .body("reservation.heldCredits", equalTo(2))
                .body("reservation.chargedTokens", nullValue())
                .body("reservation.expiresAt", equalTo(clock.instant().plusSeconds(120).toString()))
                .body("credits", equalTo(3))
                .body("availableTokens", equalTo(6000))
                .body("heldTokens", equalTo(4000));
        long id = held.extract().jsonPath().getLong("reservation.reservationId");
        status(user).statusCode(200).body("balanceTokens", equalTo(10000)).body("availableTokens", equalTo(6000))
                .body("heldTokens", equalTo(4000)).body("openReservations", equalTo(1)).body("credits", equalTo(3));

        codeGeneration(user).statusCode(200).body("creditInfo.tokensRemaining", equalTo(4000));

        settle(user, id, "{\"tokens\":3120}").statusCode(200)
                .body("reservation.status", equalTo("settled"))
                .body("reservation.heldTokens", equalTo(0))
                .body("reservation.reportedTokens", equalTo(3120))
                .body("reservation.chargedTokens", equalTo(3120))
                .body("reservation.chargedCredits", equalTo(1.56f))
                .body("reservation.uncoveredTokens", equalTo(0))
                .body("reservation.resolvedAt", equalTo(clock.instant().toString()))
                .body("availableTokens", equalTo(10000 - 2000 - 3120))
                .body("heldTokens", equalTo(0));
        status(user).body("balanceTokens", equalTo(4880)).body("heldTokens", equalTo(0)).body("openReservations", equalTo(0))
                .body("totalTokensUsed", equalTo(5120)).body("monthlyTokensUsed", equalTo(5120));

        given().get("/v1/accounts/{id}/ledger", user).then().statusCode(200)
                .body("entries.kind", equalTo(List.of("settle", "consume", "hold", "grant")))
                .body("entries[0].amountTokens", equalTo(-3120))
                .body("entries[0].heldChangeTokens", equalTo(-4000))
                .body("entries[0].reservationId", equalTo((int) id))
                .body("entries[0].tokens", equalTo(3120))
                .body("entries[0].feature", equalTo("llm_call"))
                .body("entries[0].grants[0].amount", equalTo(3120))
                .body("entries[2].amountTokens", equalTo(0))
                .body("entries[2].heldChangeTokens", equalTo(4000))
                .body("entries[2].balanceAfterTokens", equalTo(10000))
                .body("entries[1].heldChangeTokens", equalTo(0));
    }

    @Test
    void heldTokensCannotBeSpentByAConsumeOrAnotherHold() {
        String user = newUserId("holdguard");
        openFree(user);
        holdLlm(user, 8000);
        codeGeneration(user).statusCode(200).body("creditInfo.tokensRemaining", equalTo(0));
        String before = ledger.snapshot(user);

        codeGeneration(user).statusCode(429).body("type", equalTo("urn:credit-ledger:problem:insufficient-credits"))
                .body("maxTokens", equalTo(0));
        hold(user, "{\"feature\":\"llm_call\",\"tokens\":1}").statusCode(429)
                .body("type", equalTo("urn:credit-ledger:problem:insufficient-credits"))
                .body("error", equalTo("Insufficient credits"))
                .body("maxTokens", equalTo(0))
                .body("requiredTokens", equalTo(1));
        hold(user, "{\"feature\":\"code_generation\"}").statusCode(429).body("requiredTokens", equalTo(2000));

        assertEquals(before, ledger.snapshot(user), "refused holds and consumes changed nothing");
    }

    @Test
    void aReleaseGivesEverythingBackAndAReservationIsResolvedExactlyOnce() {
        String user = newUserId("release");
        openFree(user);
        long first = holdLlm(user, 3000);
        long second = holdLlm(user, 2000);

        release(user, first).statusCode(200).body("reservation.status", equalTo("released"))
                .body("reservation.chargedTokens", nullValue()).body("availableTokens", equalTo(8000)).body("heldTokens", equalTo(2000));
        settle(user, second, "{\"tokens\":1500}").statusCode(200);
        String before = ledger.snapshot(user);

        release(user, first).statusCode(409).body("type", equalTo("urn:credit-ledger:problem:reservation-not-open"))
                .body("reservation.status", equalTo("released"));
        settle(user, first, "{\"tokens\":10}").statusCode(409).body("reservation.status", equalTo("released"));
        release(user, second).statusCode(409).body("reservation.status", equalTo("settled"))
                .body("reservation.chargedTokens", equalTo(1500));
        settle(user, second, "{\"tokens\":1500}").statusCode(409).body("detail", equalTo(
                "Reservation " + second + " is already settled; nothing was changed"));

        assertEquals(before, ledger.snapshot(user), "a 409 changed nothing");
        status(user).body("availableTokens", equalTo(8500)).body("heldTokens", equalTo(0));
    }

    @Test
    void usageAboveTheHoldIsChargedAsFarAsTheBalanceGoesAndTheRestIsReported() {
        String user = newUserId("overrun");
        openFree(user);
        long id = holdLlm(user, 4000);
        settle(user, id, "{\"tokens\":5000}").statusCode(200).body("reservation.chargedTokens", equalTo(5000))
                .body("reservation.uncoveredTokens", equalTo(0)).body("availableTokens", equalTo(5000));

        long second = holdLlm(user, 1000);
        codeGeneration(user).statusCode(200);
        codeGeneration(user).statusCode(200);
        settle(user, second, "{\"tokens\":4000}").statusCode(200)
                .body("reservation.reportedTokens", equalTo(4000))
                .body("reservation.chargedTokens", equalTo(1000))
                .body("reservation.uncoveredTokens", equalTo(3000))
                .body("availableTokens", equalTo(0));
        status(user).body("balanceTokens", equalTo(0)).body("totalTokensUsed", equalTo(10000));
    }

    @Test
    void aFixedFeatureHoldsItsPriceAndItsSettleChargesIt() {
        String user = newUserId("fixedhold");
        openFree(user);
        long id = hold(user, "{\"feature\":\"code_review\"}").statusCode(201).body("reservation.requestedTokens", equalTo(2000))
                .extract().jsonPath().getLong("reservation.reservationId");
        settle(user, id, null).statusCode(200).body("reservation.chargedTokens", equalTo(2000))
                .body("reservation.reportedTokens", nullValue()).body("availableTokens", equalTo(8000));

        long reported = hold(user, "{\"feature\":\"code_review\"}").statusCode(201).extract().jsonPath().getLong("reservation.reservationId");
        settle(user, reported, "{\"tokens\":1234}").statusCode(200).body("reservation.chargedTokens", equalTo(2000))
                .body("reservation.reportedTokens", equalTo(1234));
    }

    @Test
    void aMeteredSettleNeedsTheTokensAndAFixedHoldMustNotNameThem() {
        String user = newUserId("holdbad");
        openFree(user);
        long id = holdLlm(user, 4000);
        String before = ledger.snapshot(user);

        settle(user, id, null).statusCode(400).body("errors[0].field", equalTo("tokens"));
        settle(user, id, "{}").statusCode(400).body("errors[0].field", equalTo("tokens"));
        hold(user, "{\"feature\":\"code_generation\",\"tokens\":2000}").statusCode(400).body("errors[0].field", equalTo("tokens"));
        hold(user, "{\"feature\":\"llm_call\"}").statusCode(400).body("errors[0].field", equalTo("tokens"));

        assertEquals(before, ledger.snapshot(user));
    }

    @Test
    void reservationIdsBelongToTheirAccount() {
        String alice = newUserId("ralice");
        String bob = newUserId("rbob");
        openFree(alice);
        openFree(bob);
        long id = holdLlm(alice, 1000);
        String before = ledger.snapshot(alice) + ledger.snapshot(bob);

        settle(bob, id, "{\"tokens\":10}").statusCode(404).body("type", equalTo("urn:credit-ledger:problem:reservation-not-found"));
        release(bob, id).statusCode(404).body("type", equalTo("urn:credit-ledger:problem:reservation-not-found"));
        given().get("/v1/accounts/{id}/reservations/{r}", bob, id).then().statusCode(404)
                .body("type", equalTo("urn:credit-ledger:problem:reservation-not-found"));
        settle(alice, id + 1000, "{\"tokens\":10}").statusCode(404);
        settle(newUserId("nobody"), id, "{\"tokens\":10}").statusCode(404)
                .body("type", equalTo("urn:credit-ledger:problem:account-not-found"));
        hold(newUserId("nobody"), "{\"feature\":\"llm_call\",\"tokens\":1}").statusCode(404)
                .body("type", equalTo("urn:credit-ledger:problem:account-not-found"));

        assertEquals(before, ledger.snapshot(alice) + ledger.snapshot(bob));
        given().get("/v1/accounts/{id}/reservations/{r}", alice, id).then().statusCode(200).body("status", equalTo("open"))
                .body("heldTokens", equalTo(1000));
    }

    @Test
    void theCapOnOpenReservationsRefusesOneMoreUntilOneIsResolved() {
        String user = newUserId("cap");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        Instant start = clock.instant();
        long first = 0;
        for (int i = 0; i < 100; i++) {
            long id = hold(user, "{\"feature\":\"llm_call\",\"tokens\":10,\"ttlSeconds\":" + (600 + i) + "}").statusCode(201)
                    .extract().jsonPath().getLong("reservation.reservationId");
            first = i == 0 ? id : first;
        }
        String before = ledger.snapshot(user);

        hold(user, "{\"feature\":\"llm_call\",\"tokens\":10}").statusCode(429)
                .body("type", equalTo("urn:credit-ledger:problem:too-many-reservations"))
                .body("openReservations", equalTo(100))
                .body("maxOpenReservations", equalTo(100))
                .header("Retry-After", equalTo(String.valueOf(Duration.between(clock.instant(), start.plusSeconds(600)).toSeconds() + 1)));
        assertEquals(before, ledger.snapshot(user));
        codeGeneration(user).statusCode(200);

        release(user, first).statusCode(200);
        hold(user, "{\"feature\":\"llm_call\",\"tokens\":10}").statusCode(201);
        status(user).body("openReservations", equalTo(100)).body("heldTokens", equalTo(1000));
    }

    @Test
    void aHoldExpiresByItsTtlWithoutAnyScheduler() {
        String user = newUserId("ttl");
        openFree(user);
        Instant at = clock.instant();
        long id = hold(user, "{\"feature\":\"llm_call\",\"tokens\":10000,\"ttlSeconds\":60}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        codeGeneration(user).statusCode(429);

        clock.advance(Duration.ofSeconds(59));
        status(user).body("heldTokens", equalTo(10000));
        clock.advance(Duration.ofSeconds(1));

        codeGeneration(user).statusCode(200).body("creditInfo.tokensRemaining", equalTo(8000));
        given().get("/v1/accounts/{id}/reservations/{r}", user, id).then().statusCode(200).body("status", equalTo("expired"))
                .body("heldTokens", equalTo(0)).body("resolvedAt", equalTo(at.plusSeconds(60).toString()));
        settle(user, id, "{\"tokens\":100}").statusCode(409).body("reservation.status", equalTo("expired"));
        release(user, id).statusCode(409).body("reservation.status", equalTo("expired"));
        given().get("/v1/accounts/{id}/ledger", user).then()
                .body("entries.kind", equalTo(List.of("consume", "release", "hold", "grant")))
                .body("entries[1].reason", equalTo("reservation expired"))
                .body("entries[1].heldChangeTokens", equalTo(-10000))
                .body("entries[1].createdAt", equalTo(at.plusSeconds(60).toString()));
    }

    @Test
    void aSettleAfterTheTtlIsRefusedEvenBeforeAnythingElseNoticedTheExpiry() {
        String user = newUserId("ttlsettle");
        openFree(user);
        long id = hold(user, "{\"feature\":\"llm_call\",\"tokens\":3000,\"ttlSeconds\":30}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        clock.advance(Duration.ofSeconds(30));

        settle(user, id, "{\"tokens\":100}").statusCode(409).body("reservation.status", equalTo("expired"));
        status(user).body("availableTokens", equalTo(10000)).body("totalTokensUsed", equalTo(0));
    }

    @Test
    void theSchedulerExpiresDueHoldsToo() {
        String user = newUserId("ttljob");
        openFree(user);
        long id = hold(user, "{\"feature\":\"llm_call\",\"tokens\":5000,\"ttlSeconds\":10}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        clock.advance(Duration.ofSeconds(11));
        assertEquals(List.of("open|5000"), ledger.strings(
                "select status || '|' || held from reservation where account_id = ? and reservation_id = ?", user, id),
                "nothing has read the account since the hold: it is still open in the database");

        List<String> handled = jobs.maintainDueAccountIds().await().atMost(Duration.ofSeconds(60));

        assertTrue(handled.contains(user), "the job handled this test's account: " + handled);
        assertEquals(List.of("expired|0"), ledger.strings(
                "select status || '|' || held from reservation where account_id = ? and reservation_id = ?", user, id));
        assertEquals(List.of("0|0"), ledger.strings("select held || '|' || open_reservations from account where account_id = ?", user));
    }

    @Test
    void aGrantExpiringUnderHoldsShrinksTheNewestHoldsToFitTheBalance() {
        String user = newUserId("shrink");
        openFree(user);
        Instant bonusEnds = clock.instant().plus(Duration.ofMinutes(30));
        grant(user, "{\"credits\":5,\"expiresAt\":\"" + bonusEnds + "\"}").statusCode(201);
        long older = hold(user, "{\"feature\":\"llm_call\",\"tokens\":9000,\"ttlSeconds\":3600}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        long newer = hold(user, "{\"feature\":\"llm_call\",\"tokens\":9000,\"ttlSeconds\":3600}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        status(user).body("availableTokens", equalTo(2000));

        clock.set(bonusEnds);
        status(user).body("balanceTokens", equalTo(10000)).body("heldTokens", equalTo(10000)).body("availableTokens", equalTo(0))
                .body("openReservations", equalTo(2));
        given().get("/v1/accounts/{id}/reservations/{r}", user, older).then().body("heldTokens", equalTo(9000)).body("status", equalTo("open"));
        given().get("/v1/accounts/{id}/reservations/{r}", user, newer).then().body("heldTokens", equalTo(1000))
                .body("requestedTokens", equalTo(9000));

        settle(user, newer, "{\"tokens\":5000}").statusCode(200).body("reservation.chargedTokens", equalTo(1000))
                .body("reservation.uncoveredTokens", equalTo(4000));
        settle(user, older, "{\"tokens\":9000}").statusCode(200).body("reservation.chargedTokens", equalTo(9000))
                .body("availableTokens", equalTo(0));
        given().get("/v1/accounts/{id}/ledger", user).then()
                .body("entries.kind", equalTo(List.of("settle", "settle", "shrink", "expire", "hold", "hold", "grant", "grant")))
                .body("entries[2].reason", equalTo("balance fell below the held amount"))
                .body("entries[2].heldChangeTokens", equalTo(-8000))
                .body("entries[2].reservationId", equalTo((int) newer));
    }

    /**
     * Shrinking follows time: at the bonus's expiry the newest hold shrinks, and the older hold's
     * expiry later does not undo that. A read in between (which applies maintenance, as the
     * scheduler would) leaves the same state as no read at all.
     */
    @Test
    void holdsShrinkInTimeOrderWhetherOrNotAnythingRanInBetween() {
        String read = newUserId("fitread");
        String idle = newUserId("fitidle");
        Instant bonusEnds = clock.instant().plus(Duration.ofMinutes(30));
        long[] newer = new long[2];
        for (int i = 0; i < 2; i++) {
            String user = i == 0 ? read : idle;
            openFree(user);
            grant(user, "{\"credits\":5,\"expiresAt\":\"" + bonusEnds + "\"}").statusCode(201);
            hold(user, "{\"feature\":\"llm_call\",\"tokens\":9000,\"ttlSeconds\":2100}").statusCode(201);
            newer[i] = hold(user, "{\"feature\":\"llm_call\",\"tokens\":9000,\"ttlSeconds\":3600}").statusCode(201)
                    .extract().jsonPath().getLong("reservation.reservationId");
        }

        clock.set(bonusEnds.plusSeconds(1));
        status(read).body("heldTokens", equalTo(10000)).body("availableTokens", equalTo(0));
        clock.set(bonusEnds.plus(Duration.ofMinutes(10)));

        for (int i = 0; i < 2; i++) {
            String user = i == 0 ? read : idle;
            status(user).body("heldTokens", equalTo(1000)).body("availableTokens", equalTo(9000)).body("openReservations", equalTo(1));
            given().get("/v1/accounts/{id}/reservations/{r}", user, newer[i]).then().body("heldTokens", equalTo(1000));
        }
        assertEquals(ledger.strings("select kind || ' ' || amount || ' ' || held_change || ' ' || created_at from ledger_entry "
                        + "where account_id = ? order by entry_id", read),
                ledger.strings("select kind || ' ' || amount || ' ' || held_change || ' ' || created_at from ledger_entry "
                        + "where account_id = ? order by entry_id", idle));
    }

    @Test
    void aRefusalOnTheSlowPathRollsTheDueMaintenanceBackToo() {
        String user = newUserId("slowrefuse");
        openFree(user);
        Instant bonusEnds = clock.instant().plus(Duration.ofMinutes(10));
        grant(user, "{\"credits\":5,\"expiresAt\":\"" + bonusEnds + "\"}").statusCode(201);
        long id = hold(user, "{\"feature\":\"llm_call\",\"tokens\":1000,\"ttlSeconds\":3600}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        clock.set(bonusEnds);
        String before = ledger.snapshot(user);

        hold(user, "{\"feature\":\"llm_call\",\"tokens\":9500}").statusCode(429)
                .body("type", equalTo("urn:credit-ledger:problem:insufficient-credits")).body("maxTokens", equalTo(9000));
        settle(user, id, "{}").statusCode(400).body("errors[0].field", equalTo("tokens"));
        settle(user, id + 1, "{\"tokens\":5}").statusCode(404);

        assertEquals(before, ledger.snapshot(user), "the bonus's due expiry was rolled back with each refusal");
        status(user).body("balanceTokens", equalTo(10000));
    }

    @Test
    void resolvingTheHoldThatWasNextDueMovesTheNextMaintenanceOn() {
        String user = newUserId("nextdue");
        openFree(user);
        String periodEnd = status(user).extract().path("monthlyResetDate");
        long first = hold(user, "{\"feature\":\"llm_call\",\"tokens\":100,\"ttlSeconds\":60}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        long second = hold(user, "{\"feature\":\"llm_call\",\"tokens\":100,\"ttlSeconds\":120}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        Instant now = clock.instant();
        assertEquals(List.of(now.plusSeconds(60).toString()), nextMaintenance(user));

        settle(user, second, "{\"tokens\":50}").statusCode(200);
        assertEquals(List.of(now.plusSeconds(60).toString()), nextMaintenance(user), "the first hold is still next");
        release(user, first).statusCode(200);
        assertEquals(List.of(periodEnd), nextMaintenance(user), "with no hold left, the period end is next");
    }

    /**
     * The recomputation in resolve_reservation, when the resolved hold was next due, must count the
     * open grants' expiries: here a bonus expiring before the period end is next once the hold is
     * settled, and at that instant it expires and no longer pays.
     */
    @Test
    void resolvingTheNextDueHoldMakesAnEarlierGrantExpiryTheNextMaintenance() {
        String user = newUserId("nextgrant");
        openFree(user);
        Instant bonusEnds = clock.instant().plus(Duration.ofMinutes(10));
        grant(user, "{\"credits\":5,\"expiresAt\":\"" + bonusEnds + "\"}").statusCode(201);
        long id = hold(user, "{\"feature\":\"llm_call\",\"tokens\":1000,\"ttlSeconds\":60}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        assertEquals(List.of(clock.instant().plusSeconds(60).toString()), nextMaintenance(user), "the hold is next due");

        settle(user, id, "{\"tokens\":500}").statusCode(200).body("availableTokens", equalTo(19500));
        assertEquals(List.of(bonusEnds.toString()), nextMaintenance(user), "then the bonus's expiry, before the period end");

        clock.set(bonusEnds);
        status(user).body("balanceTokens", equalTo(10000)).body("grants.source", equalTo(List.of("allowance")));
        codeGeneration(user).statusCode(200).body("creditInfo.tokensRemaining", equalTo(8000));
        assertEquals(List.of("expire -9500 " + bonusEnds), ledger.strings("select kind || ' ' || amount || ' ' || "
                + "to_char(created_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from ledger_entry "
                + "where account_id = ? and kind = 'expire'", user));
    }

    private List<String> nextMaintenance(String user) {
        return ledger.strings("select to_char(next_maintenance_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                + "from account where account_id = ?", user);
    }

    @Test
    void aFixedSettleMayComeWithNoBodyAndNoContentType() throws Exception {
        String user = newUserId("nobody-settle");
        openFree(user);
        long id = hold(user, "{\"feature\":\"code_generation\"}").statusCode(201).extract().jsonPath().getLong("reservation.reservationId");
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port
                                + "/v1/accounts/" + user + "/reservations/" + id + "/settle"))
                        .header("Authorization", "Bearer " + dev.creditledger.support.AdminKeyByDefault.ADMIN_KEY)
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        status(user).body("availableTokens", equalTo(8000));
    }

    @Test
    void aDowngradeUnderAHoldShrinksItToTheNewAllowance() {
        String user = newUserId("downhold");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        long id = holdLlm(user, 150000);

        given().delete("/v1/accounts/{id}/subscription", user).then().statusCode(200)
                .body("subscriptionTier", equalTo("free")).body("heldTokens", equalTo(10000)).body("availableTokens", equalTo(0));
        given().get("/v1/accounts/{id}/reservations/{r}", user, id).then().body("heldTokens", equalTo(10000));
        release(user, id).statusCode(200).body("availableTokens", equalTo(10000));
    }

    @Test
    void aPeriodResetUnderAHoldKeepsItWhenTheNewAllowanceCoversIt() {
        String user = newUserId("resethold");
        openFree(user);
        Instant reset = Instant.parse(status(user).extract().path("monthlyResetDate"));
        clock.set(reset.minusSeconds(30));
        long id = hold(user, "{\"feature\":\"llm_call\",\"tokens\":6000,\"ttlSeconds\":300}").statusCode(201)
                .extract().jsonPath().getLong("reservation.reservationId");
        clock.set(reset.plusSeconds(1));

        settle(user, id, "{\"tokens\":6000}").statusCode(200).body("reservation.chargedTokens", equalTo(6000))
                .body("availableTokens", equalTo(4000));
        status(user).body("monthlyTokensUsed", equalTo(6000));
        assertEquals(0, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'release'", user),
                "the new allowance covered the hold, so nothing shrank");
    }

    @Test
    void anIdempotencyKeyMakesAHoldAndASettleHappenOnce() {
        String user = newUserId("holdkey");
        openFree(user);
        String body = "{\"feature\":\"llm_call\",\"tokens\":3000}";
        String first = json().header("Idempotency-Key", "hold-1").body(body).post("/v1/accounts/{id}/reservations", user)
                .then().statusCode(201).extract().asString();
        ValidatableResponse replay = json().header("Idempotency-Key", "hold-1").body(body).post("/v1/accounts/{id}/reservations", user)
                .then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(first, replay.extract().asString());
        assertEquals(1, ledger.count("select count(*) from reservation where account_id = ?", user));
        json().header("Idempotency-Key", "hold-1").body("{\"feature\":\"llm_call\",\"tokens\":3001}")
                .post("/v1/accounts/{id}/reservations", user).then().statusCode(422);

        long id = replay.extract().jsonPath().getLong("reservation.reservationId");
        String settled = json().header("Idempotency-Key", "settle-1").body("{\"tokens\":2500}")
                .post("/v1/accounts/{id}/reservations/{r}/settle", user, id).then().statusCode(200).extract().asString();
        json().header("Idempotency-Key", "settle-1").body("{\"tokens\":2500}")
                .post("/v1/accounts/{id}/reservations/{r}/settle", user, id).then().statusCode(200)
                .header("Idempotent-Replayed", "true").body(equalTo(settled));
        json().header("Idempotency-Key", "settle-1").body("{\"tokens\":2400}")
                .post("/v1/accounts/{id}/reservations/{r}/settle", user, id).then().statusCode(422);
        status(user).body("availableTokens", equalTo(7500)).body("heldTokens", equalTo(0));
        assertEquals(1, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'settle'", user));
    }

    @Test
    void theListIsNewestFirstFiltersByStatusAndPages() {
        String user = newUserId("rlist");
        openFree(user);
        long a = holdLlm(user, 100);
        long b = holdLlm(user, 200);
        long c = holdLlm(user, 300);
        release(user, b).statusCode(200);

        given().get("/v1/accounts/{id}/reservations", user).then().statusCode(200)
                .body("reservations.reservationId", equalTo(List.of((int) c, (int) b, (int) a)))
                .body("nextCursor", nullValue());
        given().get("/v1/accounts/{id}/reservations?status=open", user).then()
                .body("reservations.reservationId", equalTo(List.of((int) c, (int) a)));
        given().get("/v1/accounts/{id}/reservations?status=released", user).then()
                .body("reservations.reservationId", equalTo(List.of((int) b)));
        String cursor = given().get("/v1/accounts/{id}/reservations?limit=2", user).then()
                .body("reservations", hasSize(2)).extract().path("nextCursor");
        assertNotNull(cursor);
        given().get("/v1/accounts/{id}/reservations?limit=2&cursor=" + cursor, user).then()
                .body("reservations.reservationId", equalTo(List.of((int) a))).body("nextCursor", nullValue());
        given().get("/v1/accounts/{id}/reservations", newUserId("nobody")).then().statusCode(404)
                .body("type", equalTo("urn:credit-ledger:problem:account-not-found"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"feature\":\"llm_call\",\"tokens\":100,\"ttlSeconds\":0}|ttlSeconds",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"ttlSeconds\":-5}|ttlSeconds",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"ttlSeconds\":3601}|ttlSeconds",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"ttlSeconds\":\"soon\"}|ttlSeconds",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"ttlSeconds\":1.5}|ttlSeconds",
            "{\"feature\":\"llm_call\",\"tokens\":0}|tokens",
            "{\"feature\":\"llm_call\",\"tokens\":-1}|tokens",
            "{\"feature\":\"llm_call\",\"tokens\":1000000000001}|tokens",
            "{\"feature\":\"llm_call\",\"tokens\":99999999999999999999999}|tokens",
            "{\"feature\":\"translate\"}|feature",
            "{\"tokens\":100}|feature",
            "{\"feature\":\"\"}|feature",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"held\":0}|held",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"status\":\"settled\"}|status",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"balance\":99999}|balance",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"reservationId\":1}|reservationId",
            "{\"feature\":\"llm_call\",\"tokens\":100,\"expiresAt\":\"2099-01-01T00:00:00Z\"}|expiresAt"})
    void badHoldBodiesAreRefusedAndHoldNothing(String body, String field) {
        String user = newUserId("holdbody");
        openFree(user);
        String before = ledger.snapshot(user);
        hold(user, body).statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItem(field));
        assertEquals(before, ledger.snapshot(user));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"tokens\":-1}|tokens",
            "{\"tokens\":\"many\"}|tokens",
            "{\"tokens\":1000000000001}|tokens",
            "{\"tokens\":100,\"chargedTokens\":0}|chargedTokens",
            "{\"tokens\":100,\"feature\":\"code_generation\"}|feature"})
    void badSettleBodiesAreRefusedAndChangeNothing(String body, String field) {
        String user = newUserId("settlebody");
        openFree(user);
        long id = holdLlm(user, 1000);
        String before = ledger.snapshot(user);
        settle(user, id, body).statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItem(field));
        assertEquals(before, ledger.snapshot(user));
    }

    @ParameterizedTest
    @CsvSource({"abc", "0", "-1", "01", "1.5", "99999999999999999999", "%20"})
    void aReservationIdThatIsNoPositiveIntegerIs400(String id) {
        String user = newUserId("badrid");
        openFree(user);
        String before = ledger.snapshot(user);
        given().urlEncodingEnabled(false).post("/v1/accounts/" + user + "/reservations/" + id + "/release").then().statusCode(400)
                .body("errors[0].field", equalTo("reservationId"));
        given().urlEncodingEnabled(false).get("/v1/accounts/" + user + "/reservations/" + id).then().statusCode(400);
        assertEquals(before, ledger.snapshot(user));
    }

    @ParameterizedTest
    @CsvSource({"status=closed", "status=OPEN", "'status=open,settled'", "limit=0", "limit=201", "cursor=nope"})
    void badListQueriesAre400(String query) {
        String user = newUserId("badlist");
        openFree(user);
        given().get("/v1/accounts/" + user + "/reservations?" + query).then().statusCode(400);
    }

    @Test
    void consumeStillPaysWithTheFullBalanceWhenNothingIsHeld() {
        String user = newUserId("noholds");
        openFree(user);
        long id = holdLlm(user, 10000);
        release(user, id).statusCode(200);
        for (int i = 0; i < 5; i++) {
            codeGeneration(user).statusCode(200);
        }
        consume(user, "{\"feature\":\"llm_call\",\"tokens\":1}").statusCode(429);
    }
}
