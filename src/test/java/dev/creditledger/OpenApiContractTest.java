package dev.creditledger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is part of the contract: the served one must equal the committed
 * {@code docs/openapi.yaml}. After an intended API change, refresh the file with
 * {@code ./mvnw test -Dtest=OpenApiContractTest -Dopenapi.update=true} and commit it.
 */
@QuarkusTest
class OpenApiContractTest {

    private static final Path COMMITTED = Path.of("docs/openapi.yaml");

    @Test
    void theServedDocumentEqualsTheCommittedOne() throws Exception {
        String served = given().accept("application/yaml").get("/q/openapi").then().statusCode(200).extract().asString();
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(COMMITTED, served, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(COMMITTED), "docs/openapi.yaml is missing; run with -Dopenapi.update=true");
        assertEquals(Files.readString(COMMITTED, StandardCharsets.UTF_8), served,
                "the API changed: review the diff, then refresh docs/openapi.yaml with -Dopenapi.update=true");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationHasASummaryExampleAnswersAndDocumentsItsErrors() {
        Map<String, Map<String, Map<String, Object>>> paths = given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().path("paths");
        int operations = 0;
        for (var path : paths.entrySet()) {
            for (var op : path.getValue().entrySet()) {
                operations++;
                String where = op.getKey() + " " + path.getKey();
                assertTrue(op.getValue().get("summary") != null, where + " has a summary");
                Map<String, Object> responses = (Map<String, Object>) op.getValue().get("responses");
                if (path.getKey().contains("{userId}")) {
                    assertTrue(responses.containsKey("400"), where + " documents 400");
                    if (!(op.getKey().equals("put") && path.getKey().equals("/v1/accounts/{userId}"))) {
                        assertTrue(responses.containsKey("404"), where + " documents 404");
                    }
                }
                if (List.of("post", "put").contains(op.getKey()) && path.getKey().startsWith("/v1/accounts/")) {
                    assertTrue(responses.containsKey("422"), where + " documents the reused idempotency key");
                }
                assertTrue(responses.containsKey("401") && responses.containsKey("500"), where + " documents 401 and 500");
                responses.forEach((code, response) -> {
                    if (code.startsWith("2")) {
                        Map<String, Map<String, Object>> content = (Map<String, Map<String, Object>>) ((Map<String, Object>) response).get("content");
                        assertTrue(content != null && content.values().stream().anyMatch(media -> media.containsKey("examples")),
                                where + " " + code + " shows an example answer");
                    }
                });
            }
        }
        assertEquals(20, operations, "every endpoint is in the document");
    }
}
