package dev.creditledger.security;

import static dev.creditledger.support.Api.json;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.AdminKeyByDefault;
import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Operations;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** API keys: every endpoint needs one, each scope reaches only its endpoints, secrets are never kept. */
@QuarkusTest
class ApiKeyTest extends LedgerTest {

    /** Which scopes besides admin may call each operation. Every operation of the document must be here. */
    private static final Map<String, Set<String>> ALLOWED = new TreeMap<>(Map.ofEntries(
            Map.entry("PUT /v1/accounts/{userId}", Set.of("meter")),
            Map.entry("GET /v1/accounts/{userId}", Set.of("meter", "read")),
            Map.entry("POST /v1/accounts/{userId}/consume", Set.of("meter")),
            Map.entry("POST /v1/accounts/{userId}/reservations", Set.of("meter")),
            Map.entry("GET /v1/accounts/{userId}/reservations", Set.of("meter", "read")),
            Map.entry("GET /v1/accounts/{userId}/reservations/{reservationId}", Set.of("meter", "read")),
            Map.entry("POST /v1/accounts/{userId}/reservations/{reservationId}/settle", Set.of("meter")),
            Map.entry("POST /v1/accounts/{userId}/reservations/{reservationId}/release", Set.of("meter")),
            Map.entry("POST /v1/accounts/{userId}/grants", Set.of()),
            Map.entry("PUT /v1/accounts/{userId}/subscription", Set.of()),
            Map.entry("DELETE /v1/accounts/{userId}/subscription", Set.of()),
            Map.entry("GET /v1/accounts/{userId}/ledger", Set.of("read")),
            Map.entry("GET /v1/plans", Set.of("meter", "read")),
            Map.entry("POST /v1/keys", Set.of()),
            Map.entry("GET /v1/keys", Set.of()),
            Map.entry("DELETE /v1/keys/{keyId}", Set.of()),
            Map.entry("GET /v1/audit", Set.of())));

    /** The end-user endpoints: no API key reaches them, whatever its scopes. */
    static final Set<String> END_USER = Set.of("GET /v1/me", "GET /v1/me/ledger", "GET /v1/me/reservations");

    @Test
    void everyDocumentedOperationIsInTheScopeTable() {
        Set<String> tabled = new TreeSet<>(ALLOWED.keySet());
        tabled.addAll(END_USER);
        assertEquals(tabled, Operations.documented(), "a new endpoint needs its scopes decided here");
    }

    /** The document states, for each operation, the scopes this table says (and the tests below enforce). */
    @Test
    @SuppressWarnings("unchecked")
    void theDocumentStatesTheScopesEachOperationAccepts() {
        Map<String, Map<String, Map<String, Object>>> paths = given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().path("paths");
        paths.forEach((path, operations) -> operations.forEach((method, operation) -> {
            String name = method.toUpperCase() + " " + path;
            List<Map<String, List<String>>> security = (List<Map<String, List<String>>>) operation.get("security");
            if (END_USER.contains(name)) {
                assertEquals(List.of(Map.of("endUserToken", List.of())), security, name);
            } else {
                Set<String> stated = new TreeSet<>();
                security.forEach(requirement -> stated.addAll(requirement.get("apiKey")));
                Set<String> expected = new TreeSet<>(ALLOWED.get(name));
                expected.add("admin");
                assertEquals(expected, stated, name);
            }
        }));
    }

    @Test
    void noApiKeyReachesTheEndUserEndpoints() {
        String user = newUserId("keyme");
        openFree(user);
        List<String> keys = List.of(AdminKeyByDefault.ADMIN_KEY, createKey("meter for me", "meter"), createKey("read for me", "read"));
        for (String operation : END_USER) {
            for (String key : keys) {
                Response response = Operations.call(operation, user, "Bearer " + key);
                assertEquals(403, response.statusCode(), operation + ": " + response.asString());
                assertEquals("urn:credit-ledger:problem:forbidden", response.path("type"));
            }
        }
    }

    @Test
    void everyEndpointRefusesAMissingMalformedUnknownOrRevokedKeyAndChangesNothing() {
        String user = newUserId("auth401");
        openFree(user);
        String revoked = createKey("soon revoked", "admin");
        given().delete("/v1/keys/{id}", keyId(revoked)).then().statusCode(200).body("revokedAt", notNullValue());
        String before = ledger.snapshot(user);
        long keysBefore = ledger.count("select count(*) from api_key");

        List<String> headers = new ArrayList<>();
        headers.add(null);
        headers.addAll(List.of("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer    ", "bearer " + AdminKeyByDefault.ADMIN_KEY,
                "Bearer cl_unknownkeyunknownkeyunknownkeyunknownke", "Bearer " + "x".repeat(201), "Bearer " + revoked));
        for (String operation : Operations.documented()) {
            for (String header : headers) {
                Response response = Operations.call(operation, user, header);
                assertEquals(401, response.statusCode(), operation + " with " + describe(header) + ": " + response.asString());
                assertEquals("urn:credit-ledger:problem:unauthorized", response.path("type"));
                assertTrue(response.header("WWW-Authenticate").startsWith("Bearer realm=\"credit-ledger\""));
                assertFalse(response.asString().contains(revoked), "the key is never echoed");
            }
        }
        assertEquals(before, ledger.snapshot(user));
        assertEquals(keysBefore, ledger.count("select count(*) from api_key"));
    }

    @Test
    void eachScopeReachesOnlyItsEndpoints() {
        for (String scope : List.of("meter", "read")) {
            String key = createKey(scope + " only", scope);
            for (Map.Entry<String, Set<String>> operation : ALLOWED.entrySet()) {
                String user = newUserId("scope");
                openFree(user);
                String before = ledger.snapshot(user);
                Response response = Operations.call(operation.getKey(), user, "Bearer " + key);
                if (operation.getValue().contains(scope)) {
                    assertFalse(Set.of(401, 403).contains(response.statusCode()),
                            scope + " may call " + operation.getKey() + ": " + response.asString());
                } else {
                    assertEquals(403, response.statusCode(), scope + " may not call " + operation.getKey() + ": " + response.asString());
                    assertEquals("urn:credit-ledger:problem:forbidden", response.path("type"));
                    assertEquals(before, ledger.snapshot(user), "a refused call changed nothing");
                }
            }
        }
    }

    @Test
    void aNewKeyIsShownOnceKeptOnlyAsAHashAndWorksUntilRevoked() {
        Response created = json().body("{\"name\":\"checkout backend\",\"scopes\":[\"meter\"]}").post("/v1/keys");
        created.then().statusCode(201).body("key", startsWith("cl_")).body("scopes", equalTo(List.of("meter")));
        String key = created.path("key");
        assertTrue(key.length() >= 46, "at least 256 random bits");
        assertEquals(key.substring(0, ApiKeys.VISIBLE), created.path("prefix"));
        given().get("/v1/keys").then().statusCode(200).body(not(org.hamcrest.Matchers.containsString(key.substring(ApiKeys.VISIBLE))))
                .body("keys.find { it.keyId == " + created.path("keyId") + " }.name", equalTo("checkout backend"));
        assertEquals(1, ledger.count("select count(*) from api_key where key_hash = ?", ApiKeys.hash(key)));
        assertEquals(0, ledger.count("select count(*) from api_key where row(api_key.*)::text like ?",
                "%" + key.substring(ApiKeys.VISIBLE) + "%"), "the secret is stored nowhere");

        given().header("Authorization", "Bearer " + key).get("/v1/plans").then().statusCode(200);
        given().get("/v1/keys").then().body("keys.find { it.keyId == " + created.path("keyId") + " }.lastUsedAt", notNullValue());

        given().delete("/v1/keys/{id}", ((Number) created.path("keyId")).longValue()).then().statusCode(200);
        given().header("Authorization", "Bearer " + key).get("/v1/plans").then().statusCode(401);
    }

    @Test
    void theConfiguredBootstrapKeyIsAnAdminKey() {
        given().get("/v1/keys").then().statusCode(200).body("keys.find { it.name == 'bootstrap' }.scopes", equalTo(List.of("admin")));
    }

    @Test
    void keyRequestsAreValidated() {
        json().body("{\"name\":\"x\",\"scopes\":[]}").post("/v1/keys").then().statusCode(400).body("errors[0].field", equalTo("scopes"));
        json().body("{\"name\":\"x\",\"scopes\":[\"root\"]}").post("/v1/keys").then().statusCode(400).body("errors[0].field", equalTo("scopes[0]"));
        json().body("{\"scopes\":[\"read\"]}").post("/v1/keys").then().statusCode(400).body("errors[0].field", equalTo("name"));
        given().delete("/v1/keys/abc").then().statusCode(400).body("errors[0].field", equalTo("keyId"));
        given().delete("/v1/keys/999999999").then().statusCode(404).body("type", equalTo("urn:credit-ledger:problem:key-not-found"));
    }

    /** Bodies of POST /v1/keys that must be refused, with the field the answer must name (null: malformed JSON). */
    static Stream<Arguments> badKeyBodies() {
        String ok = "\"name\":\"n\",\"scopes\":[\"read\"]";
        return Stream.of(
                // fields the service sets itself (mass assignment)
                Arguments.of("{" + ok + ",\"key\":\"cl_mine\"}", "key"),
                Arguments.of("{" + ok + ",\"keyId\":1}", "keyId"),
                Arguments.of("{" + ok + ",\"prefix\":\"cl_x\"}", "prefix"),
                Arguments.of("{" + ok + ",\"keyHash\":\"00\"}", "keyHash"),
                Arguments.of("{" + ok + ",\"createdAt\":\"2026-01-01T00:00:00Z\"}", "createdAt"),
                Arguments.of("{" + ok + ",\"revokedAt\":null}", "revokedAt"),
                Arguments.of("{" + ok + ",\"lastUsedAt\":null}", "lastUsedAt"),
                // wrong types and bounds
                Arguments.of("{\"name\":123,\"scopes\":[\"read\"]}", "name"),
                Arguments.of("{\"name\":\"\",\"scopes\":[\"read\"]}", "name"),
                Arguments.of("{\"name\":\"" + "n".repeat(101) + "\",\"scopes\":[\"read\"]}", "name"),
                Arguments.of("{\"name\":\"tab\\there\",\"scopes\":[\"read\"]}", "name"),
                Arguments.of("{\"name\":\"\u043a\u043b\u044e\u0447\",\"scopes\":[\"read\"]}", "name"),
                Arguments.of("{\"name\":\"n\",\"scopes\":\"admin\"}", "scopes"),
                Arguments.of("{\"name\":\"n\",\"scopes\":[1]}", "scopes[0]"),
                Arguments.of("{\"name\":\"n\",\"scopes\":[\"ADMIN\"]}", "scopes[0]"),
                Arguments.of("{\"name\":\"n\",\"scopes\":null}", "scopes"),
                Arguments.of("{" + ok + ",\"rateLimit\":0}", "rateLimit"),
                Arguments.of("{" + ok + ",\"rateLimit\":1000001}", "rateLimit"),
                Arguments.of("{" + ok + ",\"rateLimit\":1.5}", "rateLimit"),
                Arguments.of("{" + ok + ",\"rateLimit\":\"10\"}", "rateLimit"),
                Arguments.of("{" + ok + ",\"rateLimit\":99999999999999999999}", "rateLimit"),
                Arguments.of("{" + ok + ",\"name\":\"twice\"}", "name"),
                // not JSON, or not an object
                Arguments.of("{\"name\":\"n\",", null),
                Arguments.of("[" + "{" + ok + "}]", null),
                Arguments.of("null", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKeyBodies")
    void keyBodiesThatAreNotExactlyRightAreRefusedAndCreateNothing(String body, String field) {
        long keys = ledger.count("select count(*) from api_key");
        io.restassured.response.ValidatableResponse response = json().body(body).post("/v1/keys").then().statusCode(400)
                .contentType("application/problem+json");
        if (field != null) {
            response.body("errors.field", hasItem(field));
        }
        assertEquals(keys, ledger.count("select count(*) from api_key"), "no key was created");
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"limit=0", "limit=201", "limit=abc", "cursor=garbage", "cursor=ZTow"})
    void auditPagingRefusesWhatItDidNotMake(String query) {
        given().get("/v1/audit?" + query).then().statusCode(400).body("errors[0].field", equalTo(query.substring(0, query.indexOf('='))));
    }

    private static String createKey(String name, String scope) {
        return json().body("{\"name\":\"" + name + "\",\"scopes\":[\"" + scope + "\"]}").post("/v1/keys")
                .then().statusCode(201).extract().path("key");
    }

    private long keyId(String key) {
        return Long.parseLong(ledger.strings("select key_id::text from api_key where key_hash = ?", ApiKeys.hash(key)).get(0));
    }

    private static String describe(String header) {
        return header == null ? "no Authorization header" : "'" + (header.length() > 30 ? header.substring(0, 30) + "..." : header) + "'";
    }

    @Test
    void aKeyOverItsRateLimitGets429WithRetryAfterAndRecoversAsTimePasses() {
        String key = json().body("{\"name\":\"limited\",\"scopes\":[\"read\"],\"rateLimit\":3}").post("/v1/keys")
                .then().statusCode(201).body("rateLimit", equalTo(3)).extract().path("key");
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + key).get("/v1/plans").then().statusCode(200);
        }
        given().header("Authorization", "Bearer " + key).get("/v1/plans").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", "1")
                .body("type", equalTo("urn:credit-ledger:problem:rate-limited"));
        clock.advance(java.time.Duration.ofSeconds(1));
        given().header("Authorization", "Bearer " + key).get("/v1/plans").then().statusCode(200);
    }

    @Test
    void aBurstBeyondTheLimitIsCutAtExactlyTheLimit() {
        String key = json().body("{\"name\":\"burst\",\"scopes\":[\"meter\"],\"rateLimit\":5}").post("/v1/keys")
                .then().statusCode(201).extract().path("key");
        String user = newUserId("burst");
        openFree(user);
        List<Integer> codes = dev.creditledger.support.Race.run(20, 20, i -> given().header("Authorization", "Bearer " + key)
                .contentType("application/json").body("{\"feature\":\"llm_call\",\"tokens\":1}")
                .post("/v1/accounts/{id}/consume", user).statusCode()).overlapping(4);
        assertEquals(5, codes.stream().filter(c -> c == 200).count(), "codes: " + codes);
        assertEquals(15, codes.stream().filter(c -> c == 429).count(), "codes: " + codes);
        assertEquals(5, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'consume'", user),
                "only the allowed requests debited");
    }

    @Test
    void aKeyTryingAnAdminChangeOutsideItsScopeIsAuditedWithTheRefusal() {
        String user = newUserId("overreach");
        openFree(user);
        String meter = createKey("overreaching meter", "meter");
        given().header("Authorization", "Bearer " + meter).header("X-Request-Id", "overreach-1").contentType("application/json")
                .body("{\"credits\":1000}").post("/v1/accounts/{id}/grants", user).then().statusCode(403);
        given().header("Authorization", "Bearer " + meter).header("X-Request-Id", "overreach-2").get("/v1/accounts/{id}", user)
                .then().statusCode(200);
        given().get("/v1/audit?limit=1").then().statusCode(200)
                .body("entries[0].requestId", equalTo("overreach-1")).body("entries[0].status", equalTo(403))
                .body("entries[0].keyId", equalTo((int) keyId(meter))).body("entries[0].method", equalTo("POST"));
        assertEquals(0, ledger.count("select count(*) from audit_entry where request_id = 'overreach-2'"), "reads are not audited");
    }

    @Test
    void anAdminActionAndItsAuditEntryCommitTogetherOrNotAtAll() {
        String user = newUserId("atomic");
        openFree(user);
        json().header("X-Request-Id", "audit-once").body("{\"credits\":1}").post("/v1/accounts/{id}/grants", user).then().statusCode(201);
        assertEquals(1, ledger.count("select count(*) from audit_entry where request_id = 'audit-once'"), "one entry, not two");

        // The audit store refuses one request's entry: its action must not happen without it.
        ledger.execute("""
                create function refuse_audit() returns trigger language plpgsql as $$
                begin
                  if new.request_id = 'audit-refused' then raise exception 'audit store refuses'; end if;
                  return new;
                end $$""");
        ledger.execute("create trigger refuse_audit before insert on audit_entry for each row execute function refuse_audit()");
        try {
            String before = ledger.snapshot(user);
            long keys = ledger.count("select count(*) from api_key");
            long revoked = ledger.count("select count(*) from api_key where revoked_at is not null");
            String victim = createKey("stays active", "read");
            json().header("X-Request-Id", "audit-refused").body("{\"credits\":5}").post("/v1/accounts/{id}/grants", user)
                    .then().statusCode(500);
            json().header("X-Request-Id", "audit-refused").body("{\"tier\":\"pro\"}").put("/v1/accounts/{id}/subscription", user)
                    .then().statusCode(500);
            json().header("X-Request-Id", "audit-refused").body("{\"name\":\"ghost\",\"scopes\":[\"read\"]}").post("/v1/keys")
                    .then().statusCode(500);
            given().header("X-Request-Id", "audit-refused").delete("/v1/keys/{id}", keyId(victim)).then().statusCode(500);
            assertEquals(before, ledger.snapshot(user), "no grant and no upgrade without their audit entries");
            assertEquals(keys + 1, ledger.count("select count(*) from api_key"), "no key created without its audit entry");
            assertEquals(revoked, ledger.count("select count(*) from api_key where revoked_at is not null"), "no key revoked without it");
            given().header("Authorization", "Bearer " + victim).get("/v1/plans").then().statusCode(200);
        } finally {
            ledger.execute("drop trigger refuse_audit on audit_entry");
            ledger.execute("drop function refuse_audit()");
        }
    }

    @Test
    void adminActionsAreAuditedWithKeyRequestIdAndAnswerButMeteringIsNot() {
        String user = newUserId("audited");
        openFree(user);
        long adminKeyId = Long.parseLong(ledger.strings("select key_id::text from api_key where key_hash = ?",
                ApiKeys.hash(AdminKeyByDefault.ADMIN_KEY)).get(0));
        json().header("X-Request-Id", "req-audit-1").body("{\"credits\":2}").post("/v1/accounts/{id}/grants", user)
                .then().statusCode(201).header("X-Request-Id", "req-audit-1");
        json().header("X-Request-Id", "req-audit-2").body("{\"credits\":-2}").post("/v1/accounts/{id}/grants", user)
                .then().statusCode(400);
        long before = ledger.count("select count(*) from audit_entry");
        dev.creditledger.support.Api.codeGeneration(user).statusCode(200).header("X-Request-Id", notNullValue());
        given().get("/v1/accounts/{id}", user).then().statusCode(200);
        assertEquals(before, ledger.count("select count(*) from audit_entry"), "metering and reads are not audited");

        given().get("/v1/audit?limit=2").then().statusCode(200)
                .body("entries[0].requestId", equalTo("req-audit-2")).body("entries[0].status", equalTo(400))
                .body("entries[1].requestId", equalTo("req-audit-1")).body("entries[1].status", equalTo(201))
                .body("entries[1].method", equalTo("POST")).body("entries[1].path", equalTo("/v1/accounts/" + user + "/grants"))
                .body("entries[1].keyId", equalTo((int) adminKeyId)).body("nextCursor", notNullValue());
    }
}
