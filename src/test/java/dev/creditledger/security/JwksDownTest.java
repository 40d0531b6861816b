package dev.creditledger.security;

import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the issuer's JWKS cannot be fetched, the fault is the service's: 503, not a 401 that blames the token. */
@QuarkusTest
@TestProfile(JwksDownTest.Unreachable.class)
class JwksDownTest extends LedgerTest {

    public static class Unreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.jwt.verify.publickey.location", "http://127.0.0.1:1/.well-known/jwks.json");
        }
    }

    @Test
    void aGoodTokenGets503WithRetryAfterAndApiKeysAreUnaffected() {
        String user = newUserId("down");
        openFree(user);
        given().header("Authorization", "Bearer " + Tokens.forUser(user)).get("/v1/me").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "5")
                .body("type", equalTo("urn:credit-ledger:problem:unavailable"));
        given().get("/v1/accounts/{id}", user).then().statusCode(200);
    }
}
