package dev.creditledger.security;

import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Race;
import dev.creditledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Limits on one instance, set low here: each end user may make 3 requests per second, and each
 * client address may have 5 credentials refused per second.
 */
@QuarkusTest
@TestProfile(AbuseLimitsTest.LowLimits.class)
class AbuseLimitsTest extends LedgerTest {

    public static class LowLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("credits.rate-limit.end-user-requests-per-second", "3",
                    "credits.rate-limit.failed-authentications-per-second", "5");
        }
    }

    @BeforeEach
    void everyBucketIsFull() {
        clock.advance(Duration.ofSeconds(2));
    }

    @Test
    void anAddressGuessingCredentialsIsCutOffBeforeAnyLookupButKnownKeysStillPass() {
        String user = newUserId("guessed");
        openFree(user);
        for (int i = 0; i < 5; i++) {
            given().header("Authorization", "Bearer cl_guess" + i).get("/v1/accounts/{id}", user).then().statusCode(401);
        }
        for (String guess : List.of("Bearer cl_guess5", "Bearer " + Tokens.signedByAnotherKey(user), "Bearer " + Tokens.forUser(user))) {
            given().header("Authorization", guess).get("/v1/me").then().statusCode(429)
                    .header("Retry-After", "1").body("type", equalTo("urn:credit-ledger:problem:rate-limited"));
        }
        given().get("/v1/accounts/{id}", user).then().statusCode(200);
        clock.advance(Duration.ofSeconds(1));
        given().header("Authorization", "Bearer " + Tokens.forUser(user)).get("/v1/me").then().statusCode(200);
        given().header("Authorization", "Bearer cl_guess6").get("/v1/accounts/{id}", user).then().statusCode(401);
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
        List<Integer> codes = Race.run(12, 12, i -> given().header("Authorization", "Bearer " + token).get("/v1/me").statusCode());
        assertEquals(3, codes.stream().filter(c -> c == 200).count(), "codes: " + codes);
        assertEquals(9, codes.stream().filter(c -> c == 429).count(), "codes: " + codes);
    }
}
