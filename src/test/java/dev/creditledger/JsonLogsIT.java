package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.support.ScratchDatabase;
import dev.creditledger.support.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service (prod profile) logs one JSON object per line, and a line logged while a
 * request runs carries that request's id (docs/design.md, rule O3): the one the answer's
 * X-Request-Id names (the client's, when it sent a sane one). Dev and test log readable text (application.properties).
 */
class JsonLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineIsJsonAndALineLoggedDuringARequestCarriesItsId() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.start()) {
            Map<String, String> env = new HashMap<>(db.serviceEnvironment());
            env.put("CREDITS_BOOTSTRAP_ADMIN_KEY", "json-logs-it-admin-key-0123456789abcdef");
            // End-user tokens verified against a JWKS that cannot be reached: the request logs a WARN.
            env.put("MP_JWT_VERIFY_ISSUER", "https://app.example.test");
            env.put("MP_JWT_VERIFY_AUDIENCES", "credit-ledger");
            env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "http://127.0.0.1:" + ServiceProcess.freePort() + "/jwks");
            try (ServiceProcess service = ServiceProcess.start(env, Files.createTempFile("credit-ledger-json-logs", ".log"))) {
                // No X-Request-Id sent: the line carries the id the service made, the one its answer names.
                HttpResponse<String> answer = service.send("GET", "/v1/me", null, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln");
                assertEquals(503, answer.statusCode(), answer.body());
                String madeId = answer.headers().firstValue("X-Request-Id").orElseThrow();
                HttpResponse<String> sent = service.send("GET", "/v1/plans", null, "json-logs-it-admin-key-0123456789abcdef",
                        "X-Request-Id", "json-logs-it-7");
                assertEquals("json-logs-it-7", sent.headers().firstValue("X-Request-Id").orElseThrow(), "a sane id sent is kept");

                List<JsonNode> lines = new ArrayList<>();
                for (String line : service.log().lines().toList()) {
                    JsonNode node = JSON.readTree(line); // throws on a line that is not JSON
                    assertTrue(node.isObject() && node.hasNonNull("level") && node.hasNonNull("message"), line);
                    lines.add(node);
                }
                List<JsonNode> duringRequest = lines.stream()
                        .filter(l -> l.path("loggerName").asText().equals("dev.creditledger.security.EndUserTokens")).toList();
                assertEquals(1, duringRequest.size(), service.log());
                assertEquals("WARN", duringRequest.get(0).path("level").asText());
                assertEquals(madeId, duringRequest.get(0).path("mdc").path("requestId").asText(), duringRequest.get(0).toString());
                List<JsonNode> startup = lines.stream().filter(l -> l.path("message").asText().contains("started in")).toList();
                assertEquals(1, startup.size(), service.log());
                assertFalse(startup.get(0).path("mdc").has("requestId"), "a line outside any request carries no request id");
            }
        }
    }
}
