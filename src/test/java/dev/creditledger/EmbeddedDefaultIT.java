package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with nothing configured: it starts its embedded PostgreSQL, says where the
 * data is, creates the first admin key in an owner-only file (nothing is open by default), and a
 * restart over the same data directory finds the same account and the same key.
 */
class EmbeddedDefaultIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private String adminKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void thePackagedServiceRunsOnItsEmbeddedDatabaseAndKeepsItsDataAcrossARestart() throws Exception {
        assertTrue(Files.exists(JAR), "package the service first (./mvnw verify does)");
        Path dataDir = Files.createTempDirectory("credit-ledger-it");
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");

        Process first = start(dataDir, log);
        try {
            int port = awaitPort(first, log);
            Path keyFile = dataDir.resolve("admin-key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)), "owner-only key file");
            adminKey = Files.readString(keyFile).trim();
            assertTrue(Files.readString(log).contains(adminKey), "the first admin key is printed once");
            assertEquals(401, send(port, "GET", "/v1/plans", null, null).statusCode(), "nothing is open by default");
            assertEquals(201, send(port, "PUT", "/v1/accounts/it-user", null).statusCode());
            HttpResponse<String> paid = send(port, "POST", "/v1/accounts/it-user/consume", "{\"feature\":\"code_generation\"}");
            assertEquals(200, paid.statusCode(), paid.body());
            HttpResponse<String> token = send(port, "GET", "/v1/me", null, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJpdC11c2VyIn0.c2ln");
            assertEquals(401, token.statusCode(), token.body());
            assertTrue(token.body().contains("not configured for end-user tokens"), "no token is accepted until JWT is configured");
            HttpResponse<String> crossOrigin = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans"))
                    .header("Authorization", "Bearer " + adminKey).header("Origin", "https://somewhere.example").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, crossOrigin.statusCode(), "no origin is allowed until one is configured");
            assertTrue(crossOrigin.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
            String logText = Files.readString(log);
            assertTrue(logText.contains("data in " + dataDir.toAbsolutePath().normalize()), "the log says where the data is");
        } finally {
            stop(first);
        }

        Process second = start(dataDir, log);
        try {
            int port = awaitPort(second, log);
            HttpResponse<String> status = send(port, "GET", "/v1/accounts/it-user", null);
            assertFalse(Files.readString(log).contains(adminKey), "a restart does not print the key again");
            assertEquals(adminKey, Files.readString(dataDir.resolve("admin-key")).trim(), "nor makes another");
            assertEquals(200, status.statusCode());
            assertTrue(status.body().contains("\"availableTokens\":8000"), status.body());
        } finally {
            stop(second);
        }
    }

    private Process start(Path dataDir, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
        builder.environment().put("CREDITS_DATABASE_EMBEDDED_PORT", Integer.toString(freePort()));
        builder.environment().put("CREDITS_DATABASE_DATA_DIR", dataDir.toString());
        return builder.start();
    }

    private int awaitPort(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "the service stopped: " + read(log));
            String text = read(log);
            int at = text.indexOf("Listening on: http://0.0.0.0:");
            if (at >= 0) {
                String rest = text.substring(at + "Listening on: http://0.0.0.0:".length());
                return Integer.parseInt(rest.replaceAll("^(\\d+).*", "$1").lines().findFirst().orElseThrow());
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("the service did not start within 120 s: " + read(log));
    }

    private HttpResponse<String> send(int port, String method, String path, String json) throws Exception {
        return send(port, method, path, json, adminKey);
    }

    private HttpResponse<String> send(int port, String method, String path, String json, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
