package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.grant;
import static dev.creditledger.support.Api.json;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.maintenance.MaintenanceJobs;
import dev.creditledger.support.ClockStart;
import dev.creditledger.support.LedgerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code /q/metrics} moves exactly as a scenario says: each paid consume, refusal, replay, grant and
 * reservation event once, HTTP answers by route template and status, scheduler runs; and no label
 * names a user or a key.
 */
@QuarkusTest
@ClockStart("2026-05-04T08:00:00Z")
class MetricsTest extends LedgerTest {

    @Inject
    MaintenanceJobs jobs;

    /** A metric's value, summed over its series whose labels include the given ones; 0 when there is none yet. */
    private static double value(String metrics, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{(.*)})? (\\S+)$", Pattern.MULTILINE);
        Pattern label = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
        Matcher m = line.matcher(metrics);
        double total = 0;
        while (m.find()) {
            Map<String, String> present = new LinkedHashMap<>();
            Matcher l = label.matcher(m.group(1) == null ? "" : m.group(1));
            while (l.find()) {
                present.put(l.group(1), l.group(2));
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= labels[i + 1].equals(present.get(labels[i]));
            }
            if (all) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    private static String metrics() {
        return given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private record Delta(String before, String after) {
        double of(String name, String... labels) {
            return value(after, name, labels) - value(before, name, labels);
        }
    }

    /** Tokens of the ledger's entries of {@code kind} whose grant came from {@code source}, over every account. */
    private long ledgerTokens(String kind, String source) {
        return Math.abs(ledger.count("""
                select coalesce(sum(e.amount), 0) from ledger_entry e
                  join credit_grant g on g.account_id = e.account_id and g.grant_id = (e.grants -> 0 ->> 'grantId')::bigint
                 where e.kind = ? and g.source = ?""", kind, source));
    }

    @Test
    void aScenarioMovesEachCounterByExactlyWhatHappened() {
        String user = newUserId("metrics");
        String before = metrics();
        long allowanceBefore = ledgerTokens("grant", "allowance");
        long expiredBonusBefore = ledgerTokens("expire", "bonus");
        long expiredHoldsBefore = ledger.count("select count(*) from reservation where status = 'expired'");

        openFree(user);
        codeGeneration(user).statusCode(200);
        codeGeneration(user).statusCode(200);
        json().header("Idempotency-Key", "metrics-k1").body("{\"feature\":\"code_generation\"}")
                .post("/v1/accounts/{id}/consume", user).then().statusCode(200).header("Idempotent-Replayed", (String) null);
        json().header("Idempotency-Key", "metrics-k1").body("{\"feature\":\"code_generation\"}")
                .post("/v1/accounts/{id}/consume", user).then().statusCode(200).header("Idempotent-Replayed", "true");
        codeGeneration(user).statusCode(200);
        codeGeneration(user).statusCode(200);
        codeGeneration(user).statusCode(429);                                        // 5 paid: no credits left

        grant(user, "{\"credits\":10,\"reason\":\"metrics\",\"expiresAt\":\"2026-05-20T00:00:00Z\"}")
                .statusCode(201);                                                    // 20000 bonus tokens, until May 20
        long held = json().body("{\"feature\":\"llm_call\",\"tokens\":4000}").post("/v1/accounts/{id}/reservations", user)
                .then().statusCode(201).extract().jsonPath().getLong("reservation.reservationId");
        json().body("{\"tokens\":3000}").post("/v1/accounts/{id}/reservations/{r}/settle", user, held).then().statusCode(200);
        long released = json().body("{\"feature\":\"llm_call\",\"tokens\":1000}").post("/v1/accounts/{id}/reservations", user)
                .then().statusCode(201).extract().jsonPath().getLong("reservation.reservationId");
        given().post("/v1/accounts/{id}/reservations/{r}/release", user, released).then().statusCode(200);
        json().body("{\"feature\":\"llm_call\",\"tokens\":2000}").post("/v1/accounts/{id}/reservations", user)
                .then().statusCode(201);                                             // stays open
        given().header("Authorization", "Bearer cl_not-a-key-of-this-service-000000000000")
                .get("/v1/accounts/{id}", user).then().statusCode(401);

        // A refusal rolls back the maintenance it applied first (the bonus's expiry): not counted
        // then, but once, when the scheduler applies it for good.
        String refused = newUserId("metrics-refused");
        openFree(refused);
        for (int i = 0; i < 5; i++) {
            codeGeneration(refused).statusCode(200);
        }
        grant(refused, "{\"credits\":1,\"reason\":\"metrics\",\"expiresAt\":\"2026-05-10T00:00:00Z\"}").statusCode(201);
        clock.advance(Duration.ofDays(7));                                           // May 11: the bonus is past its expiry
        codeGeneration(refused).statusCode(429);
        assertEquals(0, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'expire'", refused),
                "the refusal rolled its maintenance back");

        clock.advance(Duration.ofDays(24));                                          // the period ends: maintenance is due
        List<String> maintained = jobs.maintainDueAccountIds().await().atMost(Duration.ofSeconds(30));
        assertTrue(maintained.contains(user), "the scheduler maintained the account");

        String after = metrics();
        Delta d = new Delta(before, after);
        // What maintenance did, wherever it ran (this test's requests, the scheduler over every due
        // account of the suite), counted once each: exactly what the ledger holds.
        long refilled = ledgerTokens("grant", "allowance") - allowanceBefore;
        assertTrue(refilled >= 2 * 10000, "this user's sign-up allowance and its refill at the period's end: " + refilled);
        assertEquals(refilled, d.of("credits_tokens_granted_total", "source", "allowance"), "every allowance refill");
        long expiredBonus = ledgerTokens("expire", "bonus") - expiredBonusBefore;
        assertTrue(expiredBonus >= 20000 - 3000, "what was left of this user's bonus expired: " + expiredBonus);
        assertEquals(expiredBonus, d.of("credits_tokens_expired_total", "source", "bonus"), "every expired bonus token");
        long expiredHolds = ledger.count("select count(*) from reservation where status = 'expired'") - expiredHoldsBefore;
        assertTrue(expiredHolds >= 1, "this test's open hold expired");
        assertEquals(expiredHolds, d.of("credits_reservations_total", "event", "expired"), "every hold expiry");
        assertEquals(10, d.of("credits_consumes_total", "feature", "code_generation", "tier", "free"), "ten paid consumes; the replay is none");
        assertEquals(10 * 2000 + 3000, d.of("credits_tokens_debited_total", "feature", "code_generation")
                + d.of("credits_tokens_debited_total", "feature", "llm_call"), "ten consumes and one settle");
        assertEquals(3000, d.of("credits_tokens_debited_total", "feature", "llm_call"));
        assertEquals(2, d.of("credits_refusals_total", "operation", "consume", "reason", "insufficient-credits",
                "feature", "code_generation", "tier", "free"));
        assertEquals(1, d.of("credits_idempotent_replays_total", "operation", "consume"));
        assertEquals(20000 + 2000, d.of("credits_tokens_granted_total", "source", "bonus"));
        assertEquals(3, d.of("credits_reservations_total", "event", "opened"));
        assertEquals(1, d.of("credits_reservations_total", "event", "settled"));
        assertEquals(1, d.of("credits_reservations_total", "event", "released"));
        assertEquals(2, d.of("credits_problems_total", "operation", "consume", "type", "insufficient-credits"));
        assertEquals(-2000, ledger.count("select coalesce(sum(amount), 0) from ledger_entry where account_id = ? and kind = 'expire' "
                + "and reason = 'grant expired'", refused), "the refused user's bonus expired once, by the scheduler");
        assertEquals(1, d.of("credits_problems_total", "operation", "getAccount", "type", "unauthorized"));
        assertEquals(maintained.size(), d.of("credits_maintenance_accounts_total", "outcome", "maintained"));
        // The run expired this test's open hold (its 5 minutes are long past); the gauge counts what is still open.
        assertEquals(ledger.count("select count(*) from reservation where status = 'open'"), value(after, "credits_reservations_open"),
                "the gauge counts the open holds");
        assertEquals(0, ledger.count("select count(*) from reservation where account_id = ? and status = 'open'", user));

        assertEquals(11, d.of("http_server_requests_seconds_count", "uri", "/v1/accounts/{userId}/consume", "status", "200"),
                "eleven answered 200, the replay included");
        assertEquals(2, d.of("http_server_requests_seconds_count", "uri", "/v1/accounts/{userId}/consume", "status", "429"));
        assertTrue(after.contains("http_server_requests_seconds_bucket{"), "HTTP latency histograms");
        assertFalse(after.contains(user), "no label names a user");
        assertFalse(after.contains("cl_not-a-key"), "no label names a key");
        assertTrue(d.of("sql_pool_completed_total", "pool_type", "sql") > 0, "the database pool's use");
        assertTrue(after.contains("sql_pool_queue_size{"), "and its waiting queue");
    }
}
