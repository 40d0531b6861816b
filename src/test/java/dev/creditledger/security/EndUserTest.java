package dev.creditledger.security;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.json;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Operations;
import dev.creditledger.support.TestJwtKeys;
import dev.creditledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** End-user tokens: a user's JWT reads that user's own account and ledger, and nothing else. */
@QuarkusTest
class EndUserTest extends LedgerTest {

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void theFrontendReadsItsOwnAccountTheSameWayTheBackendDoes() {
        String user = newUserId("me");
        openFree(user);
        codeGeneration(user).statusCode(200);
        Map<String, Object> backend = status(user).statusCode(200).extract().path("$");
        as(Tokens.forUser(user)).get("/v1/me").then().statusCode(200)
                .body("userId", equalTo(user)).body("credits", equalTo(4)).body("availableTokens", equalTo(8000))
                .body("$", equalTo(backend));
    }

    @Test
    void theLedgerIsTheUsersOwnAndAnotherAccountsCursorLeadsNowhereElse() {
        String alice = newUserId("alice");
        String bob = newUserId("bob");
        openFree(alice);
        openFree(bob);
        codeGeneration(alice).statusCode(200);
        codeGeneration(bob).statusCode(200);
        codeGeneration(bob).statusCode(200);
        String token = Tokens.forUser(alice);

        as(token).get("/v1/me/ledger").then().statusCode(200).body("entries", hasSize(2))
                .body("entries.kind", equalTo(List.of("consume", "grant")));
        String firstPage = as(token).get("/v1/me/ledger?limit=1").then().statusCode(200).body("entries", hasSize(1))
                .extract().path("nextCursor");
        as(token).get("/v1/me/ledger?limit=1&cursor=" + firstPage).then().statusCode(200).body("entries.kind", equalTo(List.of("grant")));

        String bobsCursor = given().get("/v1/accounts/{id}/ledger?limit=1", bob).then().statusCode(200).extract().path("nextCursor");
        // Bob's cursor stands for his newest entry, written after both of Alice's: with it, Alice
        // gets her own entries older than that position, newest first, that is all of hers.
        List<Integer> alicesEntries = ledger.strings("select entry_id::text from ledger_entry where account_id = ? "
                        + "and entry_id < (select max(entry_id) from ledger_entry where account_id = ?) order by entry_id desc", alice, bob)
                .stream().map(Integer::valueOf).toList();
        assertEquals(2, alicesEntries.size());
        as(token).get("/v1/me/ledger?cursor=" + bobsCursor).then().statusCode(200)
                .body("entries.entryId", equalTo(alicesEntries));
        as(token).get("/v1/me/ledger?limit=0").then().statusCode(400).body("errors[0].field", equalTo("limit"));
    }

    @Test
    void theUserSeesTheirOwnReservationsAndNoOneElses() {
        String alice = newUserId("alice");
        String bob = newUserId("bob");
        openFree(alice);
        openFree(bob);
        int first = json().body("{\"feature\":\"llm_call\",\"tokens\":3000}").post("/v1/accounts/{id}/reservations", alice)
                .then().statusCode(201).extract().path("reservation.reservationId");
        int second = json().body("{\"feature\":\"code_generation\"}").post("/v1/accounts/{id}/reservations", alice)
                .then().statusCode(201).extract().path("reservation.reservationId");
        given().post("/v1/accounts/{id}/reservations/{r}/release", alice, second).then().statusCode(200);
        int bobs = json().body("{\"feature\":\"llm_call\",\"tokens\":500}").post("/v1/accounts/{id}/reservations", bob)
                .then().statusCode(201).extract().path("reservation.reservationId");
        String token = Tokens.forUser(alice);

        as(token).get("/v1/me/reservations").then().statusCode(200)
                .body("reservations.reservationId", equalTo(List.of(second, first)))
                .body("reservations.userId", everyItem(equalTo(alice)));
        as(token).get("/v1/me/reservations?status=open").then().statusCode(200)
                .body("reservations.reservationId", equalTo(List.of(first)))
                .body("reservations[0].heldTokens", equalTo(3000));
        as(token).get("/v1/me").then().body("heldTokens", equalTo(3000)).body("openReservations", equalTo(1))
                .body("availableTokens", equalTo(7000));
        as(token).get("/v1/me/reservations?userId=" + bob).then().statusCode(200)
                .body("reservations.reservationId", not(hasItem(bobs)));
        as(token).get("/v1/me/reservations?status=held").then().statusCode(400).body("errors[0].field", equalTo("status"));
        as(token).get("/v1/me/reservations/" + first).then().statusCode(404);
    }

    @Test
    void everyKeyTheIssuerPublishesIsTrustedAndNoOther() {
        String user = newUserId("kid");
        openFree(user);
        as(Tokens.forUser(user, TestJwtKeys.FIRST_KID)).get("/v1/me").then().statusCode(200);
        as(Tokens.forUser(user, TestJwtKeys.SECOND_KID)).get("/v1/me").then().statusCode(200);
        as(Tokens.underAnUnpublishedKeyId(user)).get("/v1/me").then().statusCode(401)
                .body("type", equalTo("urn:credit-ledger:problem:unauthorized"));
    }

    @Test
    void aUserWhoseAccountIsNotOpenYetGets404() {
        as(Tokens.forUser(newUserId("new"))).get("/v1/me").then().statusCode(404)
                .body("type", equalTo("urn:credit-ledger:problem:account-not-found"));
    }

    @Test
    void nothingInTheRequestCanPointTheTokenAtAnotherUser() {
        String alice = newUserId("alice");
        String bob = newUserId("bob");
        openFree(alice);
        openFree(bob);
        codeGeneration(bob).statusCode(200);
        codeGeneration(bob).statusCode(200);
        String token = Tokens.forUser(alice);
        as(token).header("X-User-Id", bob).get("/v1/me?userId=" + bob).then().statusCode(200).body("userId", equalTo(alice));
        // Alice's ledger has her one grant; Bob's has a grant and two debits.
        as(token).get("/v1/me/ledger?userId=" + bob + "&accountId=" + bob).then().statusCode(200)
                .body("entries", hasSize(1)).body("entries[0].kind", equalTo("grant"));
        as(token).get("/v1/me/" + bob).then().statusCode(404);
    }

    /**
     * Alice's token on every other operation (with Bob's id, a guessed id, or her own) gets one and
     * the same 404, so it tells her nothing about whether an account exists, and changes nothing.
     */
    @Test
    void anEndUserTokenReachesNothingBeyondMeAndLearnsNothing() {
        String alice = newUserId("alice");
        String bob = newUserId("bob");
        openFree(alice);
        openFree(bob);
        String token = Tokens.forUser(alice);
        String aliceBefore = ledger.snapshot(alice);
        String bobBefore = ledger.snapshot(bob);
        long keys = ledger.count("select count(*) from api_key");
        int checked = 0;
        for (String operation : Operations.documented()) {
            if (operation.startsWith("GET /v1/me")) {
                continue;
            }
            Map<String, Object> first = null;
            for (String target : List.of(bob, newUserId("guessed"), alice)) {
                Response response = Operations.call(operation, target, "Bearer " + token);
                assertEquals(404, response.statusCode(), operation + " for " + target + ": " + response.asString());
                Map<String, Object> body = new LinkedHashMap<>(response.path("$"));
                body.remove("instance");
                if (first == null) {
                    first = body;
                } else {
                    assertEquals(first, body, operation + ": the answer is the same whoever the path names");
                }
                assertFalse(response.asString().contains(token), "the token is never echoed");
                checked++;
            }
        }
        assertTrue(checked >= 36, "every operation beyond /v1/me was tried: " + checked);
        assertEquals(aliceBefore, ledger.snapshot(alice));
        assertEquals(bobBefore, ledger.snapshot(bob));
        assertEquals(keys, ledger.count("select count(*) from api_key"));
    }

    @Test
    void expiredForgedOrMisaddressedTokensAre401() {
        String user = newUserId("victim");
        openFree(user);
        codeGeneration(user).statusCode(200);
        Instant past = Instant.now().minusSeconds(7200);
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("expired", Tokens.signed(Tokens.claims(user).issuedAt(past).expiresAt(past.plusSeconds(600))));
        tokens.put("not valid yet", Tokens.signed(Tokens.claims(user).claim("nbf", Instant.now().plusSeconds(3600).getEpochSecond())));
        tokens.put("signed by another key", Tokens.signedByAnotherKey(user));
        tokens.put("another issuer", Tokens.signed(Tokens.claims(user).issuer("https://evil.example")));
        tokens.put("another audience", Tokens.signed(Tokens.claims(user).audience("some-other-service")));
        tokens.put("no audience", Tokens.signed(Tokens.claims(user).remove("aud")));
        tokens.put("no expiry", Tokens.withoutExpiry(user));
        tokens.put("no issued-at", Tokens.withoutIssuedAt(user));
        tokens.put("no signature (alg none)", Tokens.unsigned(user));
        tokens.put("HS256 keyed with the public key", Tokens.hmacWithThePublicKey(user));
        tokens.put("no subject", Tokens.signed(Tokens.claims(null)));
        tokens.put("a subject that is no user id", Tokens.signed(Tokens.claims("../" + user)));
        tokens.put("tampered payload", tamper(Tokens.forUser(newUserId("other")), user));
        tokens.put("three dots of garbage", "abc.def.ghi");
        String before = ledger.snapshot(user);
        for (Map.Entry<String, String> bad : tokens.entrySet()) {
            for (String path : List.of("/v1/me", "/v1/me/ledger", "/v1/me/reservations", "/v1/accounts/" + user)) {
                Response response = as(bad.getValue()).get(path);
                assertEquals(401, response.statusCode(), bad.getKey() + " on " + path + ": " + response.asString());
                assertEquals("urn:credit-ledger:problem:unauthorized", response.path("type"));
                assertTrue(response.header("WWW-Authenticate").contains("error=\"invalid_token\""), bad.getKey());
                assertFalse(response.asString().contains(bad.getValue()), "the token is never echoed");
            }
            as(bad.getValue()).contentType("application/json").body("{\"feature\":\"code_generation\"}")
                    .post("/v1/accounts/{id}/consume", user).then().statusCode(401);
        }
        assertEquals(before, ledger.snapshot(user), "no refused token changed anything");
        as(tokens.get("expired")).get("/v1/me").then().body("detail", equalTo("The end-user token has expired"));
        as(tokens.get("another issuer")).get("/v1/me").then().body("detail", equalTo("The end-user token comes from another issuer"));
        as(tokens.get("another audience")).get("/v1/me").then().body("detail", equalTo("The end-user token is meant for another audience"));
        as(tokens.get("no expiry")).get("/v1/me").then().body("detail", org.hamcrest.Matchers.startsWith("The end-user token has no exp"));
        as(tokens.get("no issued-at")).get("/v1/me").then().body("detail", org.hamcrest.Matchers.startsWith("The end-user token has no iat"));
    }

    @Test
    void abusedAuthorizationHeadersAuthenticateNobody() {
        String user = newUserId("abuse");
        openFree(user);
        String token = Tokens.forUser(user);
        for (String header : List.of(token + ",Bearer " + token, token + " extra", token + "\u0000", token + "\u00e9", "Bearer " + token,
                token.replace('.', '\u2024'), "\u202e" + token)) {
            Response response = as(header).get("/v1/me");
            assertEquals(401, response.statusCode(), header + ": " + response.asString());
            assertEquals("urn:credit-ledger:problem:unauthorized", response.path("type"));
        }
        Response twice = given().header("Authorization", "Bearer " + token).header("Authorization", "Bearer " + token).get("/v1/me");
        assertEquals(401, twice.statusCode(), "two Authorization headers are one credential too many: " + twice.asString());
    }

    @Test
    void anOverlongTokenIsRefusedBeforeItIsParsed() {
        String huge = "a".repeat(5000) + "." + "b".repeat(5000) + ".c";
        as(huge).get("/v1/me").then().statusCode(401).header("WWW-Authenticate", org.hamcrest.Matchers.containsString("invalid_request"));
    }

    @Test
    void theAllowedFrontendOriginGetsItsPreflightAndItsAnswer() {
        String user = newUserId("cors");
        openFree(user);
        given().header("Origin", "https://app.example.test").header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .options("/v1/me").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://app.example.test")
                .header("Access-Control-Allow-Methods", org.hamcrest.Matchers.containsString("GET"))
                .header("Access-Control-Allow-Headers", org.hamcrest.Matchers.containsStringIgnoringCase("authorization"))
                .header("Access-Control-Max-Age", notNullValue());
        as(Tokens.forUser(user)).header("Origin", "https://app.example.test").get("/v1/me").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://app.example.test")
                .header("Access-Control-Expose-Headers", org.hamcrest.Matchers.containsStringIgnoringCase("X-Request-Id"))
                .header("Access-Control-Allow-Credentials", org.hamcrest.Matchers.not("true"));
    }

    @Test
    void anyOtherOriginIsRefused() {
        String user = newUserId("cors");
        openFree(user);
        Response preflight = given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization").options("/v1/me");
        assertEquals(null, preflight.header("Access-Control-Allow-Origin"), preflight.headers().toString());
        Response get = as(Tokens.forUser(user)).header("Origin", "https://evil.example").get("/v1/me");
        assertEquals(null, get.header("Access-Control-Allow-Origin"));
        assertEquals(403, get.statusCode(), get.asString());
        Response post = given().header("Origin", "https://app.example.test").header("Access-Control-Request-Method", "POST")
                .options("/v1/accounts/" + user + "/consume");
        assertFalse(String.valueOf(post.header("Access-Control-Allow-Methods")).contains("POST"), "browsers only read");
    }

    /** Swaps the token's payload for one naming another subject, keeping the original signature. */
    private static String tamper(String token, String subject) {
        String[] parts = token.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                .replaceAll("\"sub\":\"[^\"]*\"", "\"sub\":\"" + subject + "\"");
        return parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(
                java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
    }
}
