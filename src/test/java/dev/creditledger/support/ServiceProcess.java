package dev.creditledger.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service run as a process of its own, for the plain-JUnit ITs: {@code java -jar} the
 * JVM jar (or any command, such as a native executable) on a free HTTP port, with the test JVM's
 * environment less every {@code QUARKUS_DATASOURCE_*} variable (each test says which database its
 * service uses) plus what the test gives; its output goes to a log file the test reads.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String LISTENING = "Listening on: http://0.0.0.0:";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the packaged JVM jar. */
    public static ServiceProcess start(Path log, Map<String, String> env) throws IOException {
        return start(jvm(), log, env);
    }

    /** The command that runs the packaged JVM jar, with these JVM options. */
    public static List<String> jvm(String... options) {
        assertTrue(Files.exists(JAR), "package the service first (./mvnw verify does)");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("-jar", JAR.toString()));
        return command;
    }

    public static ServiceProcess start(List<String> command, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
        builder.environment().putAll(env);
        return new ServiceProcess(builder.start(), log);
    }

    /** Waits until the service says it listens, and answers its port. */
    public int awaitPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "the service stopped: " + log());
            String text = log();
            int at = text.indexOf(LISTENING);
            if (at >= 0) {
                String rest = text.substring(at + LISTENING.length());
                return Integer.parseInt(rest.replaceAll("^(\\d+).*", "$1").lines().findFirst().orElseThrow());
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("the service did not start within 120 s: " + log());
    }

    /** Waits until the service listens and its readiness check (the database included) answers 200; answers its port. */
    public int awaitReady() throws Exception {
        int port = awaitPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "the service stopped: " + log());
            try {
                if (send(port, "GET", "/q/health/ready", null, null).statusCode() == 200) {
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

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public static HttpResponse<String> send(int port, String method, String path, String json, String key) throws Exception {
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
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the service (SIGTERM, then SIGKILL after 60 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
