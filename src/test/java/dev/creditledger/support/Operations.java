package dev.creditledger.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every operation of the service's OpenAPI document, and a way to call one with a valid body and a
 * chosen Authorization header, so a test over "every endpoint" cannot miss a new one.
 */
public final class Operations {

    /** A body each operation accepts (for those that take one). */
    private static final Map<String, String> BODIES = Map.of(
            "POST /v1/accounts/{userId}/consume", "{\"feature\":\"code_generation\"}",
            "POST /v1/accounts/{userId}/reservations", "{\"feature\":\"code_generation\"}",
            "POST /v1/accounts/{userId}/reservations/{reservationId}/settle", "{}",
            "POST /v1/accounts/{userId}/grants", "{\"credits\":1}",
            "PUT /v1/accounts/{userId}/subscription", "{\"tier\":\"pro\"}",
            "POST /v1/keys", "{\"name\":\"probe\",\"scopes\":[\"read\"]}");

    private Operations() {
    }

    /** "METHOD /path" of every operation in the served document. */
    @SuppressWarnings("unchecked")
    public static Set<String> documented() {
        Map<String, Map<String, Object>> paths = given().get("/q/openapi?format=json").then().statusCode(200).extract().path("paths");
        Set<String> documented = new TreeSet<>();
        paths.forEach((path, ops) -> ops.keySet().forEach(method -> documented.add(method.toUpperCase() + " " + path)));
        return documented;
    }

    /** Calls the operation for the user (and key 1, reservation 1), with this Authorization header, or none when null. */
    public static Response call(String operation, String userId, String authorization) {
        String[] parts = operation.split(" ", 2);
        String path = parts[1].replace("{userId}", userId).replace("{keyId}", "1").replace("{reservationId}", "1");
        if (authorization == null) {
            AdminKeyByDefault.withoutKey();
        }
        RequestSpecification spec = given();
        if (authorization != null) {
            spec.header("Authorization", authorization);
        }
        String body = BODIES.get(operation);
        if (body != null) {
            spec.contentType("application/json").body(body);
        }
        try {
            return spec.request(parts[0], path);
        } finally {
            new AdminKeyByDefault().beforeEach(null);
        }
    }
}
