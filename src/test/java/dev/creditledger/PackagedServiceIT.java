package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.consume;
import static dev.creditledger.support.Api.json;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.support.AdminKeyByDefault;
import dev.creditledger.support.PackagedServiceConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The main paths through the packaged artifact, as shipped (profile {@code prod}), on a PostgreSQL of
 * its own: failsafe runs this against the JVM jar ({@code target/quarkus-app}), and against the native
 * executable when built with {@code -Dnative}. Most of what a native executable can get wrong is
 * reflection, so each test meets a JSON shape that Jackson handles outside a resource method's
 * signature (a write's stored answer, a problem's extensions, a ledger entry's grants column) or an
 * annotation read at run time (the scope check, the metrics' operation names). Every answer is held
 * against the OpenAPI document the artifact serves.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceConfig.class)
class PackagedServiceIT {

    @BeforeEach
    void adminKeyAndContractCheck() {
        AdminKeyByDefault.install();
    }

    @Test
    void healthIsUpWithTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database connections health check")));
    }

    @Test
    void anOpenedAccountPaysAndReadsItsLedger() {
        String user = newUserId("it-pay");
        openFree(user).body("credits", equalTo(5)).body("grants[0].source", equalTo("allowance"));
        codeGeneration(user).statusCode(200)
                .body("success", equalTo(true))
                .body("creditInfo.tokensUsed", equalTo(2000))
                .body("creditInfo.creditsRemaining", equalTo(4));
        status(user).statusCode(200).body("availableTokens", equalTo(8000));
        given().get("/v1/accounts/{id}/ledger", user).then().statusCode(200)
                .body("entries[0].kind", equalTo("consume"))
                .body("entries[0].grants[0].amount", equalTo(2000));
    }

    @Test
    void whatTheAccountCannotPayIsRefusedAndCounted() {
        String user = newUserId("it-refuse");
        openFree(user);
        consume(user, "{\"feature\":\"llm_call\",\"tokens\":10001}").statusCode(429)
                .body("type", equalTo("urn:credit-ledger:problem:insufficient-credits"))
                .body("maxTokens", equalTo(10000))
                .body("requiredTokens", equalTo(10001));
        status(user).body("availableTokens", equalTo(10000));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("credits_problems_total{operation=\"consume\",type=\"insufficient-credits\"}"));
    }

    @Test
    void aRepeatedIdempotencyKeyReplaysTheFirstAnswerAndPaysOnce() {
        String user = newUserId("it-idem");
        openFree(user);
        Response first = json().header("Idempotency-Key", "it-once").body("{\"feature\":\"code_generation\"}")
                .post("/v1/accounts/{id}/consume", user);
        Response replay = json().header("Idempotency-Key", "it-once").body("{\"feature\":\"code_generation\"}")
                .post("/v1/accounts/{id}/consume", user);
        assertEquals(200, first.statusCode(), first.asString());
        assertEquals(200, replay.statusCode(), replay.asString());
        assertEquals(first.asString(), replay.asString());
        assertEquals(null, first.header("Idempotent-Replayed"));
        assertEquals("true", replay.header("Idempotent-Replayed"));
        status(user).body("availableTokens", equalTo(8000));
    }

    @Test
    void aHoldIsSettledForWhatTheCallUsed() {
        String user = newUserId("it-hold");
        openFree(user);
        Response hold = json().body("{\"feature\":\"llm_call\",\"tokens\":4000}").post("/v1/accounts/{id}/reservations", user);
        assertEquals(201, hold.statusCode(), hold.asString());
        assertEquals(6000, hold.<Integer>path("availableTokens"));
        long id = hold.<Number>path("reservation.reservationId").longValue();
        json().body("{\"tokens\":3120}").post("/v1/accounts/{id}/reservations/{r}/settle", user, id).then().statusCode(200)
                .body("reservation.status", equalTo("settled"))
                .body("reservation.chargedTokens", equalTo(3120))
                .body("availableTokens", equalTo(10000 - 3120))
                .body("heldTokens", equalTo(0));
        json().body("{\"tokens\":1}").post("/v1/accounts/{id}/reservations/{r}/settle", user, id).then().statusCode(409)
                .body("reservation.status", equalTo("settled"));
    }

    @Test
    void badInputNamesTheFieldAndAKeyOutsideItsScopeIsForbidden() {
        String user = newUserId("it-bad");
        openFree(user);
        consume(user, "{\"feature\":\"code_generation\",\"credits\":5}").statusCode(400)
                .body("errors[0].field", equalTo("credits"))
                .body("errors[0].message", equalTo("unknown field"));
        String readKey = json().body("{\"name\":\"it read\",\"scopes\":[\"read\"]}").post("/v1/keys").then().statusCode(201)
                .body("scopes", hasItem("read")).extract().path("key");
        given().header("Authorization", "Bearer " + readKey).contentType("application/json").body("{\"feature\":\"code_generation\"}")
                .post("/v1/accounts/{id}/consume", user).then().statusCode(403)
                .body("type", equalTo("urn:credit-ledger:problem:forbidden"));
        status(user).body("availableTokens", equalTo(10000));
    }
}
