package dev.creditledger.security;

import static dev.creditledger.support.Api.json;

import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.support.ClockStart;
import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Race;
import dev.creditledger.support.Tokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Limits on one instance, set low here: each end user may make 3 requests per second, and each
 * client address may present 5 unknown API keys per second.
 */
@QuarkusTest
@TestProfile(AbuseLimitsTest.LowLimits.class)
@ClockStart("2026-09-01T00:00:00Z")
class AbuseLimitsTest extends LedgerTest {

    public static class LowLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("credits.rate-limit.end-user-requests-per-second", "3",
                    "credits.rate-limit.unknown-keys-per-second", "5");
        }
    }

    @Inject
    RateLimiter limiter;

    @Inject
    AgroalDataSource dataSource;

    /**
     * Each test starts from the class's instant ({@link ClockStart}), so an earlier test's buckets
     * may have been touched later than that and would not refill; a bucket idle for a second is
     * full, so dropping every bucket is the same as having waited (its other state, the last prune, changes no answer).
     */
    @BeforeEach
    void everyBucketIsFull() throws ReflectiveOperationException {
        Object target = ClientProxy.unwrap(limiter);
        Field buckets = RateLimiter.class.getDeclaredField("buckets");
        buckets.setAccessible(true);
        ((Map<?, ?>) buckets.get(target)).clear();
    }

    /**
     * Right after a start (or 10 s after its last use) this instance has not loaded a key: a burst of
     * requests carrying it share one lookup, and only the request that started it spends the
     * address's budget of unknown keys, so a valid key is never taken for guessing. The lookup is
     * held back by a lock on the key's row until the whole burst is in flight at the service, so
     * every request meets the key not yet loaded.
     */
    @Test
    void aBurstWithAValidKeyThisInstanceHasNotLoadedYetIsNeverCountedAsGuessing() throws Exception {
        String user = newUserId("burst");
        openFree(user);
        var created = json().body("{\"name\":\"burst\",\"scopes\":[\"read\"]}").post("/v1/keys")
                .then().statusCode(201).extract();
        String key = created.path("key");
        long keyId = ((Number) created.path("keyId")).longValue();
        int burst = 30;
        List<Integer> codes;
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement rowLock = lock.prepareStatement("select 1 from api_key where key_id = ? for update")) {
                rowLock.setLong(1, keyId);
                rowLock.executeQuery();
            }
            CompletableFuture<List<Integer>> answers = CompletableFuture.supplyAsync(() -> Race.run(burst, burst, i ->
                    given().header("Authorization", "Bearer " + key).get("/v1/accounts/{id}", user).then().extract().statusCode())
                    .results());
            // Wait (bounded) until the service holds the whole burst; a refused request would have left already.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (activeRequests() < burst && System.nanoTime() < deadline && !answers.isDone()) {
                Thread.onSpinWait();
            }
            lock.rollback();
            codes = answers.get(60, TimeUnit.SECONDS);
        }
        assertEquals(List.of(200), codes.stream().distinct().toList(), "every request of the burst answered 200: " + codes);
        // Guessing is still cut off at exactly the budget.
        for (int i = 0; i < 5; i++) {
            given().header("Authorization", "Bearer cl_burst-guess" + i).get("/v1/accounts/{id}", user).then().statusCode(401);
        }
        given().header("Authorization", "Bearer cl_burst-guess5").get("/v1/accounts/{id}", user).then().statusCode(429);
    }

    /** Requests the service is answering now, this one left out. */
    private static double activeRequests() {
        String metrics = given().accept("text/plain").get("/q/metrics").then().extract().asString();
        return metrics.lines().filter(l -> l.startsWith("http_server_active_requests{") || l.startsWith("http_server_active_requests "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum() - 1;
    }

    @Test
    void anAddressGuessingKeysIsCutOffBeforeAnyLookupWhileRealCredentialsStillPass() {
        String user = newUserId("guessed");
        openFree(user);
        for (int i = 0; i < 5; i++) {
            given().header("Authorization", "Bearer cl_guess" + i).get("/v1/accounts/{id}", user).then().statusCode(401);
        }
        given().header("Authorization", "Bearer cl_guess5").get("/v1/accounts/{id}", user).then().statusCode(429)
                .header("Retry-After", "1").body("type", equalTo("urn:credit-ledger:problem:rate-limited"));
        clock.advance(Duration.ofMillis(100));
        given().header("Authorization", "Bearer cl_guess6").get("/v1/accounts/{id}", user).then().statusCode(429);
        clock.advance(Duration.ofSeconds(11).minusMillis(100));
        // Past the key cache's 10 s, after more guessing: the admin key is no guess and still passes.
        for (int i = 0; i < 5; i++) {
            given().header("Authorization", "Bearer cl_again" + i).get("/v1/accounts/{id}", user).then().statusCode(401);
        }
        given().header("Authorization", "Bearer cl_again5").get("/v1/accounts/{id}", user).then().statusCode(429);
        given().get("/v1/accounts/{id}", user).then().statusCode(200);
        // End-user tokens are checked locally, without a lookup: the address limit is not theirs.
        given().header("Authorization", "Bearer " + Tokens.forUser(user)).get("/v1/me").then().statusCode(200);
        given().header("Authorization", "Bearer " + Tokens.signedByAnotherKey(user)).get("/v1/me").then().statusCode(401);
        clock.advance(Duration.ofSeconds(1));
        given().header("Authorization", "Bearer cl_later").get("/v1/accounts/{id}", user).then().statusCode(401);
    }

    @Test
    void concurrentGuessesGetNoMoreLookupsThanTheBudget() {
        String user = newUserId("guessed");
        openFree(user);
        List<Integer> codes = Race.run(30, 30, i -> given().header("Authorization", "Bearer cl_race" + i)
                .get("/v1/accounts/{id}", user).statusCode()).overlapping(6);
        assertEquals(5, codes.stream().filter(c -> c == 401).count(), "lookups: " + codes);
        assertEquals(25, codes.stream().filter(c -> c == 429).count(), "codes: " + codes);
    }

    @Test
    void aTokenSpentOnOtherEndpointsCountsAgainstItsUser() {
        String user = newUserId("wanderer");
        openFree(user);
        String token = Tokens.forUser(user);
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + token).get("/v1/plans").then().statusCode(404);
        }
        given().header("Authorization", "Bearer " + token).get("/v1/me").then().statusCode(429);
    }

    @Test
    void aUserOverTheLimitGets429WithRetryAfterOthersDoNotAndItRecovers() {
        String alice = newUserId("limited");
        String bob = newUserId("unlimited");
        openFree(alice);
        openFree(bob);
        String token = Tokens.forUser(alice);
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + token).get("/v1/me").then().statusCode(200);
        }
        given().header("Authorization", "Bearer " + token).get("/v1/me/ledger").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", "1")
                .body("type", equalTo("urn:credit-ledger:problem:rate-limited"));
        given().header("Authorization", "Bearer " + Tokens.forUser(bob)).get("/v1/me").then().statusCode(200);
        clock.advance(Duration.ofSeconds(1));
        given().header("Authorization", "Bearer " + token).get("/v1/me").then().statusCode(200);
    }

    @Test
    void aBurstIsCutAtExactlyTheLimit() {
        String user = newUserId("burst");
        openFree(user);
        String token = Tokens.forUser(user);
        List<Integer> codes = Race.run(12, 12, i -> given().header("Authorization", "Bearer " + token).get("/v1/me").statusCode())
                .overlapping(3);
        assertEquals(3, codes.stream().filter(c -> c == 200).count(), "codes: " + codes);
        assertEquals(9, codes.stream().filter(c -> c == 429).count(), "codes: " + codes);
    }
}
