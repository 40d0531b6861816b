package dev.creditledger.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;

/** Short forms of the HTTP calls tests make. */
public final class Api {

    private Api() {
    }

    public static String newUserId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    public static RequestSpecification json() {
        return given().contentType(ContentType.JSON);
    }

    public static ValidatableResponse open(String userId, String body) {
        RequestSpecification spec = body == null ? given() : json().body(body);
        return spec.put("/v1/accounts/{id}", userId).then();
    }

    public static ValidatableResponse openFree(String userId) {
        return open(userId, null).statusCode(201);
    }

    public static ValidatableResponse status(String userId) {
        return given().get("/v1/accounts/{id}", userId).then();
    }

    public static ValidatableResponse consume(String userId, String body) {
        return json().body(body).post("/v1/accounts/{id}/consume", userId).then();
    }

    public static ValidatableResponse codeGeneration(String userId) {
        return consume(userId, "{\"feature\":\"code_generation\"}");
    }

    public static ValidatableResponse grant(String userId, String body) {
        return json().body(body).post("/v1/accounts/{id}/grants", userId).then();
    }

    public static ValidatableResponse subscribe(String userId, String body) {
        return json().body(body).put("/v1/accounts/{id}/subscription", userId).then();
    }

    public static ValidatableResponse ledger(String userId) {
        return given().get("/v1/accounts/{id}/ledger", userId).then();
    }
}
