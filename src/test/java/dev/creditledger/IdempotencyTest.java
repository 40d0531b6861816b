package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.json;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.support.ClockStart;
import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Race;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** One Idempotency-Key, at most one effect; its replays answer the first response. */
@QuarkusTest
@ClockStart("2026-07-01T00:00:00Z")
class IdempotencyTest extends LedgerTest {

    private static final String CONSUME = "{\"feature\":\"code_generation\"}";

    private static Response consumeWithKey(String user, String key, String body) {
        return json().header("Idempotency-Key", key).body(body).post("/v1/accounts/{id}/consume", user);
    }

    @Test
    void sameKeySentTwiceAtOnceDebitsOnceAndAnswersIdentically() {
        String user = newUserId("idem");
        openFree(user);

        List<Response> responses = Race.run(2, 2, i -> consumeWithKey(user, "k-twice", CONSUME)).overlapping(2);

        assertEquals(List.of(200, 200), responses.stream().map(Response::statusCode).toList());
        assertEquals(1, responses.stream().map(Response::asString).distinct().count(), "identical bodies");
        assertEquals(Set.of("true"), responses.stream().map(r -> r.header("Idempotent-Replayed"))
                .filter(h -> h != null).collect(Collectors.toSet()), "exactly the second is marked as a replay");
        assertEquals(1, responses.stream().filter(r -> r.header("Idempotent-Replayed") == null).count());
        assertEquals(1, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'consume'", user));
        dev.creditledger.support.Api.status(user).body("credits", equalTo(4));
    }

    @Test
    void manyConcurrentDuplicatesStillDebitOnce() {
        String user = newUserId("idem20");
        openFree(user);
        List<Response> responses = Race.run(20, 20, i -> consumeWithKey(user, "k-many", CONSUME)).overlapping(4);
        assertEquals(Set.of(200), responses.stream().map(Response::statusCode).collect(Collectors.toSet()));
        assertEquals(1, responses.stream().map(Response::asString).distinct().count());
        assertEquals(1, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'consume'", user));
    }

    @Test
    void sameKeyWithAnotherBodyIs422AndChangesNothing() {
        String user = newUserId("idem422");
        openFree(user);
        consumeWithKey(user, "k1", CONSUME).then().statusCode(200);
        String before = ledger.snapshot(user);
        consumeWithKey(user, "k1", "{\"feature\":\"code_review\"}").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:credit-ledger:problem:idempotency-key-reused"));
        assertEquals(before, ledger.snapshot(user));
    }

    @Test
    void replayAnswersTheFirstResponseEvenAfterTheBalanceRanOut() {
        String user = newUserId("idemreplay");
        openFree(user);
        String first = consumeWithKey(user, "k-first", CONSUME).then().statusCode(200).extract().asString();
        for (int i = 0; i < 4; i++) {
            codeGeneration(user).statusCode(200);
        }
        codeGeneration(user).statusCode(429);
        Response replay = consumeWithKey(user, "k-first", CONSUME);
        assertEquals(200, replay.statusCode());
        assertEquals(first, replay.asString());
        assertEquals("true", replay.header("Idempotent-Replayed"));
    }

    @Test
    void aRefusedRequestLeavesNoRecordSoItsKeyCanSucceedLater() {
        String user = newUserId("idemrefused");
        openFree(user);
        for (int i = 0; i < 5; i++) {
            codeGeneration(user).statusCode(200);
        }
        consumeWithKey(user, "k-later", CONSUME).then().statusCode(429);
        assertEquals(0, ledger.count("select count(*) from idempotency_record where account_id = ?", user));
        dev.creditledger.support.Api.grant(user, "{\"credits\":1}").statusCode(201);
        consumeWithKey(user, "k-later", CONSUME).then().statusCode(200).header("Idempotent-Replayed", (String) null);
    }

    @Test
    void keysAreScopedToTheAccount() {
        String a = newUserId("idemA");
        String b = newUserId("idemB");
        openFree(a);
        openFree(b);
        consumeWithKey(a, "shared", CONSUME).then().statusCode(200).header("Idempotent-Replayed", (String) null);
        consumeWithKey(b, "shared", CONSUME).then().statusCode(200).header("Idempotent-Replayed", (String) null);
    }

    @Test
    void grantsAndSubscriptionChangesHonourKeys() {
        String user = newUserId("idemgrant");
        openFree(user);
        String body = "{\"credits\":10,\"reason\":\"welcome\"}";
        String first = json().header("Idempotency-Key", "g1").body(body).post("/v1/accounts/{id}/grants", user)
                .then().statusCode(201).extract().asString();
        Response again = json().header("Idempotency-Key", "g1").body(body).post("/v1/accounts/{id}/grants", user);
        assertEquals(201, again.statusCode());
        assertEquals(first, again.asString());
        String sub = "{\"tier\":\"pro\",\"days\":30}";
        json().header("Idempotency-Key", "s1").body(sub).put("/v1/accounts/{id}/subscription", user).then().statusCode(200);
        json().header("Idempotency-Key", "s1").body(sub).put("/v1/accounts/{id}/subscription", user).then().statusCode(200)
                .header("Idempotent-Replayed", "true");
        dev.creditledger.support.Api.status(user).body("credits", equalTo(110));
        assertEquals(2, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'grant' "
                + "and reason like '%allowance'", user), "one free allowance, one pro allowance: the replay changed nothing");
    }

    @Test
    void signUpReplaysItsFirst201() {
        String user = newUserId("idemopen");
        String first = json().header("Idempotency-Key", "o1").body("{}").put("/v1/accounts/{id}", user)
                .then().statusCode(201).extract().asString();
        Response again = json().header("Idempotency-Key", "o1").body("{}").put("/v1/accounts/{id}", user);
        assertEquals(201, again.statusCode());
        assertEquals(first, again.asString());
        json().body("{}").put("/v1/accounts/{id}", user).then().statusCode(200);
    }

    @Test
    void aKeyPastItsRetentionIsFreeAgainEvenBeforeTheCleanupRuns() {
        String user = newUserId("idemexpired");
        openFree(user);
        consumeWithKey(user, "k-old", CONSUME).then().statusCode(200);
        clock.advance(java.time.Duration.ofHours(25));
        consumeWithKey(user, "k-old", "{\"feature\":\"code_review\"}").then().statusCode(200)
                .header("Idempotent-Replayed", (String) null).body("feature", equalTo("code_review"));
        assertEquals(2, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'consume'", user));
    }
}
