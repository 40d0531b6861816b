package dev.creditledger.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service run as a process of its own, in its prod profile, for the plain-JUnit ITs
 * that start, stop and kill it as an operator or a fault would: {@code java -jar} the JVM jar (or
 * any command, such as a native executable) on a free HTTP port, with the test JVM's environment
 * less every {@code QUARKUS_DATASOURCE_*} variable (each test says which database its service
 * uses) plus what the test gives; its output goes to a log file the test reads.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String LISTENING = "Listening on: http://0.0.0.0:";
    private static final com.fasterxml.jackson.databind.ObjectMapper LOG_JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the packaged JVM jar with {@code env} added, logging to {@code log}, and waits until it listens. */
    public static ServiceProcess start(Map<String, String> env, Path log) throws IOException, InterruptedException {
        ServiceProcess service = launch(log, env);
        service.awaitPort();
        return service;
    }

    /** Launches the packaged JVM jar and returns at once (the caller waits with {@link #awaitPort} or {@link #awaitReady}). */
    public static ServiceProcess launch(Path log, Map<String, String> env) throws IOException {
        return launch(jvm(), log, env);
    }

    /** The command that runs the packaged JVM jar, with these JVM options. */
    public static List<String> jvm(String... options) {
        assertTrue(Files.exists(JAR), "package the service first (./mvnw verify does)");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("-jar", JAR.toString()));
        return command;
    }

    public static ServiceProcess launch(List<String> command, Path log, Map<String, String> env) throws IOException {
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().putAll(env);
        return new ServiceProcess(builder.start(), log, port);
    }

    /** Waits until the service says it listens, and answers its port. */
    public int awaitPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "the service stopped: " + log());
            if (log().contains(LISTENING + port)) {
                return port;
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("the service did not start within 120 s: " + log());
    }

    /** Waits until the service listens and its readiness check (the database included) answers 200; answers its port. */
    public int awaitReady() throws Exception {
        awaitPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "the service stopped: " + log());
            try {
                if (send("GET", "/q/health/ready", null, null).statusCode() == 200) {
                    return port;
                }
            } catch (IOException notYet) {
                // not answering yet: poll again
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("the service was not ready within 60 s of listening: " + log());
    }

    /** Waits for the process to end by itself; its exit status, or an error when it runs past the limit. */
    public int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the service still runs after " + limit + ": " + log());
        }
        return process.exitValue();
    }

    /** Waits up to {@code step} for the process to end, the pace of a poll; whether it still runs. */
    public boolean runsAfter(Duration step) throws InterruptedException {
        return !process.waitFor(step.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    /** Everything the service has logged so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * The ERROR lines of the packaged service's log, which is JSON lines (the prod profile): a line
     * that is not JSON fails the test, so a log that stopped being JSON cannot hide its errors.
     */
    public List<String> errorLines() {
        List<String> errors = new ArrayList<>();
        for (String line : log().lines().toList()) {
            com.fasterxml.jackson.databind.JsonNode entry;
            try {
                entry = LOG_JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new AssertionError("not a JSON log line: " + line, e);
            }
            if (entry.path("level").asText().equals("ERROR")) {
                errors.add(line);
            }
        }
        return errors;
    }

    /** A request to this service, with the API key (or token) {@code key} when not null, and any headers (name, value, ...). */
    public HttpResponse<String> send(String method, String path, String json, String key, String... headers)
            throws IOException, InterruptedException {
        return send(port, method, path, json, key, headers);
    }

    public static HttpResponse<String> send(int port, String method, String path, String json, String key, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends SIGKILL (what the OOM killer or a container kill does) and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /**
     * A port nothing listens on right now, outside the kernel's ephemeral range, where an outgoing
     * connection (the service's own to PostgreSQL among them) could take it before the service
     * binds it, as one from {@code new ServerSocket(0)} could. The rule lives in
     * {@code scripts/free-port}, which the shell scripts use too.
     */
    public static int freePort() throws IOException {
        Process script = new ProcessBuilder("scripts/free-port").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(script.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        try {
            if (script.waitFor() != 0) {
                throw new IOException("scripts/free-port found no free port");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return Integer.parseInt(out);
    }

    /** Stops the service (SIGTERM, then SIGKILL after 60 s). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
