package dev.creditledger;

import static dev.creditledger.ReservationTest.hold;
import static dev.creditledger.ReservationTest.holdLlm;
import static dev.creditledger.ReservationTest.release;
import static dev.creditledger.ReservationTest.settle;
import static dev.creditledger.support.Api.codeGeneration;
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
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Holds, settles, releases and consumes racing on one account over real HTTP and a real PostgreSQL. */
@QuarkusTest
@ClockStart("2026-05-20T08:00:00Z")
class ReservationRaceTest extends LedgerTest {

    private static final int THREADS = 48;

    @Inject
    MaintenanceJobs jobs;

    @Test
    void sixtyHoldsAgainstTenThousandTokensHoldExactlyTen() {
        String user = newUserId("holdrace");
        openFree(user);

        List<String> types = Race.run(60, THREADS, i -> outcome(hold(user, "{\"feature\":\"llm_call\",\"tokens\":1000}")
                .extract().response())).overlapping();

        assertEquals(Map.of("201", 10L, "insufficient-credits", 50L), count(types));
        status(user).body("heldTokens", equalTo(10000)).body("availableTokens", equalTo(0)).body("openReservations", equalTo(10));
    }

    @Test
    void holdsRacingPastTheCapOpenExactlyTheCap() {
        String user = newUserId("caprace");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);

        List<String> types = Race.run(130, THREADS, i -> outcome(hold(user, "{\"feature\":\"llm_call\",\"tokens\":100}")
                .extract().response())).overlapping();

        assertEquals(Map.of("201", 100L, "too-many-reservations", 30L), count(types));
        status(user).body("openReservations", equalTo(100)).body("heldTokens", equalTo(10000));
    }

    @Test
    void settlesAndReleasesRacingOnOneReservationResolveItExactlyOnce() {
        String user = newUserId("resolverace");
        openFree(user);
        long id = holdLlm(user, 5000);

        // Even requests settle, odd ones release.
        List<String> types = Race.run(40, THREADS, i -> outcome((i % 2 == 0
                ? settle(user, id, "{\"tokens\":4000}") : release(user, id)).extract().response())).overlapping();

        assertEquals(1, types.stream().filter("200"::equals).count(), types.toString());
        assertEquals(39, types.stream().filter("reservation-not-open"::equals).count(), types.toString());
        // Which request wins is the race's; what the winner did is then the one answer.
        boolean settled = types.indexOf("200") % 2 == 0;
        status(user).body("availableTokens", equalTo(settled ? 6000 : 10000)).body("heldTokens", equalTo(0));
        assertEquals(List.of(settled ? "settle" : "release"), ledger.strings(
                "select kind from ledger_entry where account_id = ? and kind in ('settle', 'release')", user));
        assertEquals(List.of(settled ? "settled" : "released"), ledger.strings(
                "select status from reservation where account_id = ? and reservation_id = ?", user, id));
    }

    @Test
    void holdsSettlesAndConsumesRacingNeverOverspendAndAddUp() {
        String user = newUserId("mixrace");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        List<Long> ids = Race.run(40, THREADS, i -> holdLlm(user, 3000)).overlapping();

        List<Response> answers = Race.run(160, THREADS, i -> switch (i % 4) {
            case 0 -> settle(user, ids.get(i / 4), "{\"tokens\":" + (1000 + i * 10) + "}").extract().response();
            case 1 -> release(user, ids.get(i / 4)).extract().response();
            case 2 -> hold(user, "{\"feature\":\"llm_call\",\"tokens\":2500}").extract().response();
            default -> codeGeneration(user).extract().response();
        }).overlapping();

        for (int n = 0; n < 40; n++) {
            // Reservation n's settle and release race: the race decides which one resolves it, and
            // then the other one's answer is fixed: it finds the reservation resolved (409).
            String resolved = ledger.strings("select status from reservation where account_id = ? and reservation_id = ?",
                    user, ids.get(n)).get(0);
            assertEquals(resolved.equals("settled") ? List.of(200, 409) : List.of(409, 200),
                    List.of(answers.get(4 * n).statusCode(), answers.get(4 * n + 1).statusCode()),
                    "settle and release of reservation " + ids.get(n) + ", now " + resolved);
            // A new hold or a consume is taken or refused for want of credits (the interleaving decides), nothing else.
            assertTrue(List.of(201, 429).contains(answers.get(4 * n + 2).statusCode()), answers.get(4 * n + 2).asString());
            assertTrue(List.of(200, 429).contains(answers.get(4 * n + 3).statusCode()), answers.get(4 * n + 3).asString());
        }
        assertEquals(answers.stream().filter(r -> r.statusCode() == 201).count(),
                ledger.count("select count(*) from reservation where account_id = ?", user) - 40,
                "every 201 hold, and only those, made a reservation");
        long charged = 0;
        for (Response r : answers) {
            if (r.statusCode() == 200 && r.path("reservation.chargedTokens") != null) {
                charged += ((Number) r.path("reservation.chargedTokens")).longValue();
            } else if (r.statusCode() == 200 && r.path("creditInfo") != null) {
                charged += ((Number) r.path("creditInfo.tokensUsed")).longValue();
            }
        }
        int used = status(user).extract().path("totalTokensUsed");
        assertEquals(charged, used, "every token charged was answered to exactly one request");
        assertEquals(200000 - used, ((Number) status(user).extract().path("balanceTokens")).longValue());
    }

    @Test
    void settlesRacingTheHoldsExpiryAndTheSchedulerResolveEachHoldOnce() {
        String user = newUserId("expiryrace");
        open(user, "{\"tier\":\"pro\"}").statusCode(201);
        Instant start = clock.instant();
        List<Long> ids = Race.run(30, THREADS, i -> hold(user, "{\"feature\":\"llm_call\",\"tokens\":1000,\"ttlSeconds\":60}")
                .statusCode(201).extract().jsonPath().getLong("reservation.reservationId")).overlapping();

        List<Integer> codes = Race.run(30, THREADS, i -> {
            if (i == 15) {
                clock.set(start.plusSeconds(60));
                jobs.maintainDueAccounts().await().atMost(Duration.ofSeconds(60));
            }
            return settle(user, ids.get(i), "{\"tokens\":800}").extract().statusCode();
        }).overlapping();

        // Each settle lands before or after the holds' expiry (the race decides), so it is 200 or
        // 409; the counts below pin the sum: every hold is settled or expired, exactly once.
        long settled = codes.stream().filter(c -> c == 200).count();
        assertEquals(30, settled + codes.stream().filter(c -> c == 409).count(), codes.toString());
        // A 409 on the slow path rolls back the expiries it applied (a refused request changes
        // nothing), and the scheduler skips an account a request has locked; so the database may
        // still hold the expired holds as open until the next read or run applies them. Any read does:
        status(user).body("heldTokens", equalTo(0)).body("totalTokensUsed", equalTo((int) settled * 800));
        assertEquals(List.of(String.valueOf(settled)), ledger.strings(
                "select count(*) from reservation where account_id = ? and status = 'settled'", user));
        assertEquals(List.of(String.valueOf(30 - settled)), ledger.strings(
                "select count(*) from reservation where account_id = ? and status = 'expired'", user));
    }

    /** 201 or 200, else the problem type's last part. */
    private static String outcome(Response response) {
        if (response.statusCode() < 300) {
            return String.valueOf(response.statusCode());
        }
        String type = response.path("type");
        return type == null ? String.valueOf(response.statusCode()) : type.substring(type.lastIndexOf(':') + 1);
    }

    private static Map<String, Long> count(List<String> values) {
        return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
