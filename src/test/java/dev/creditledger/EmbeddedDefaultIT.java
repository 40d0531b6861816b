package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with nothing configured: it starts its embedded PostgreSQL, says where the
 * data is, creates the first admin key in an owner-only file (nothing is open by default), and a
 * restart over the same data directory finds the same account and the same key.
 */
class EmbeddedDefaultIT {

    @Test
    void thePackagedServiceRunsOnItsEmbeddedDatabaseAndKeepsItsDataAcrossARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("credit-ledger-it");
        String adminKey;
        try (ServiceProcess first = start(dataDir, "first")) {
            Path keyFile = dataDir.resolve("admin-key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)), "owner-only key file");
            adminKey = Files.readString(keyFile).trim();
            assertTrue(first.log().contains(adminKey), "the first admin key is printed once");
            assertEquals(401, first.send("GET", "/v1/plans", null, null).statusCode(), "nothing is open by default");
            assertEquals(201, first.send("PUT", "/v1/accounts/it-user", null, adminKey).statusCode());
            HttpResponse<String> paid = first.send("POST", "/v1/accounts/it-user/consume", "{\"feature\":\"code_generation\"}", adminKey);
            assertEquals(200, paid.statusCode(), paid.body());
            HttpResponse<String> token = first.send("GET", "/v1/me", null, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJpdC11c2VyIn0.c2ln");
            assertEquals(401, token.statusCode(), token.body());
            assertTrue(token.body().contains("not configured for end-user tokens"), "no token is accepted until JWT is configured");
            HttpResponse<String> crossOrigin = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/v1/plans"))
                            .header("Authorization", "Bearer " + adminKey).header("Origin", "https://somewhere.example").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, crossOrigin.statusCode(), "no origin is allowed until one is configured");
            assertTrue(crossOrigin.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
            assertTrue(first.log().contains("data in " + dataDir.toAbsolutePath().normalize()), "the log says where the data is");
        }

        try (ServiceProcess second = start(dataDir, "second")) {
            HttpResponse<String> status = second.send("GET", "/v1/accounts/it-user", null, adminKey);
            assertFalse(second.log().contains(adminKey), "a restart does not print the key again");
            assertEquals(adminKey, Files.readString(dataDir.resolve("admin-key")).trim(), "nor makes another");
            assertEquals(200, status.statusCode());
            assertTrue(status.body().contains("\"availableTokens\":8000"), status.body());
        }
    }

    private static ServiceProcess start(Path dataDir, String name) throws IOException, InterruptedException {
        return ServiceProcess.start(Map.of(
                "CREDITS_DATABASE_EMBEDDED_PORT", Integer.toString(ServiceProcess.freePort()),
                "CREDITS_DATABASE_DATA_DIR", dataDir.toString()),
                dataDir.resolveSibling(dataDir.getFileName() + "." + name + ".log"));
    }
}
