package dev.creditledger.deploy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests (deploy/k8s, as {@code kubectl kustomize} renders each overlay) against
 * the service itself: the probes and the metrics scrape ask paths this service answers, on its HTTP
 * port; every environment variable the Deployment sets is a property the service reads at run time
 * ({@link KnownProperties}); the image is the one the build makes, {@code credit-ledger:<version>};
 * and the grace period outlasts the service's own shutdown. Whether the manifests are valid
 * Kubernetes is checked by deploy/k8s/test (schemas, field names, references).
 *
 * <p>Needs kubectl (with its built-in kustomize) on PATH. Without it the test is skipped, saying so,
 * except under CI=true, where it fails.
 */
@QuarkusTest
class KubernetesDeploymentTest {

    private static final Path K8S = Path.of("deploy/k8s");
    /** Each kustomization rendered, by name; the last adds the optional ServiceMonitor to prod. */
    private static final Map<String, Path> RENDERS = Map.of(
            "dev", K8S.resolve("overlays/dev"),
            "prod", K8S.resolve("overlays/prod"),
            "prod+servicemonitor", K8S.resolve("test/with-servicemonitor"));
    private static final String SERVICE = "credit-ledger";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<JsonNode>> RENDERED = new LinkedHashMap<>();

    private final Config config = ConfigProvider.getConfig();

    @Test
    void probesAskPathsTheServiceAnswersUpOnItsHttpPort() {
        for (String render : RENDERS.keySet()) {
            int httpPort = httpPort(render);
            JsonNode container = serviceContainer(render);
            Map<String, JsonNode> answers = new LinkedHashMap<>();
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                assertFalse(get.isMissingNode(), render + ": " + probe + " is no httpGet probe");
                String where = render + " " + probe + " " + get.path("path").asText();
                assertEquals(httpPort, containerPort(container, get.path("port")), where + ": port");
                assertEquals("HTTP", get.path("scheme").asText("HTTP"), where + ": scheme");
                Response answer = given().get(get.path("path").asText());
                assertEquals(200, answer.statusCode(), where + " answered " + answer.statusCode() + ": " + answer.asString());
                JsonNode body = json(answer.asString());
                assertEquals("UP", body.path("status").asText(), where + ": " + body);
                answers.put(probe, body);
            }
            // Readiness follows the database; liveness must not (an outage would restart every pod).
            Set<String> readinessChecks = checkNames(answers.get("readinessProbe"));
            Set<String> livenessChecks = checkNames(answers.get("livenessProbe"));
            assertTrue(readinessChecks.stream().anyMatch(n -> n.contains("PostgreSQL")),
                    render + ": the readiness probe's path checks no database: " + readinessChecks);
            assertTrue(livenessChecks.stream().noneMatch(readinessChecks::contains),
                    render + ": the liveness probe's path shares checks with readiness: " + livenessChecks);
            assertNotEquals(container.path("livenessProbe").path("httpGet").path("path"),
                    container.path("readinessProbe").path("httpGet").path("path"), render + ": liveness and readiness ask the same path");
        }
    }

    @Test
    void metricsAreScrapedWhereTheServiceServesThem() {
        for (String render : RENDERS.keySet()) {
            int httpPort = httpPort(render);
            JsonNode annotations = deployment(render).path("spec").path("template").path("metadata").path("annotations");
            assertEquals("true", annotations.path("prometheus.io/scrape").asText(), render + ": prometheus.io/scrape");
            assertEquals(String.valueOf(httpPort), annotations.path("prometheus.io/port").asText(), render + ": prometheus.io/port");
            assertServesMetrics(render + " prometheus.io/path", annotations.path("prometheus.io/path").asText());
        }
        List<JsonNode> monitors = objects("prod+servicemonitor", "ServiceMonitor");
        assertEquals(1, monitors.size(), "the ServiceMonitor component renders one ServiceMonitor");
        JsonNode service = object("prod+servicemonitor", "Service", SERVICE);
        for (JsonNode endpoint : monitors.get(0).path("spec").path("endpoints")) {
            assertServesMetrics("ServiceMonitor endpoint", endpoint.path("path").asText());
            JsonNode servicePort = find(service.path("spec").path("ports"), p -> p.path("name").equals(endpoint.path("port")));
            assertTrue(servicePort != null, "the ServiceMonitor scrapes port " + endpoint.path("port") + ", which the Service does not name");
            assertEquals(httpPort("prod+servicemonitor"), containerPort(serviceContainer("prod+servicemonitor"), servicePort.path("targetPort")),
                    "the ServiceMonitor's port reaches the service's HTTP port");
        }
    }

    @Test
    void everyEnvironmentVariableIsAPropertyTheServiceReadsAtRunTime() {
        KnownProperties known = KnownProperties.ofThisService();
        for (String render : RENDERS.keySet()) {
            List<String> problems = new ArrayList<>();
            Set<String> names = environmentVariables(render);
            assertTrue(names.contains("QUARKUS_DATASOURCE_REACTIVE_URL"), render + ": no database URL (the service would start an embedded PostgreSQL in the pod)");
            for (String name : names) {
                known.problem(name).ifPresent(p -> problems.add(name + ": " + p));
            }
            assertEquals(List.of(), problems, render + ": environment variables the service would ignore");
        }
    }

    @Test
    void theImageIsTheOneTheBuildMakes() {
        // quarkus.application.version is the pom's <version>, as the build saw it.
        String expected = "credit-ledger:" + config.getValue("quarkus.application.version", String.class);
        for (String render : RENDERS.keySet()) {
            assertEquals(expected, serviceContainer(render).path("image").asText(), render + ": the service's image");
        }
    }

    @Test
    void theGracePeriodOutlastsTheServicesOwnShutdown() {
        boolean delayed = config.getOptionalValue("quarkus.shutdown.delay-enabled", Boolean.class).orElse(false);   // fixed at build
        for (String render : RENDERS.keySet()) {
            Duration timeout = duration(render, "quarkus.shutdown.timeout", "QUARKUS_SHUTDOWN_TIMEOUT");
            Duration delay = duration(render, "quarkus.shutdown.delay", "QUARKUS_SHUTDOWN_DELAY");
            assertTrue(delayed || delay.isZero(), render + ": sets a shutdown delay, but quarkus.shutdown.delay-enabled is not true in the build");
            Duration jobs = duration(render, "credits.maintenance.stop-timeout", "CREDITS_MAINTENANCE_STOP_TIMEOUT");
            Duration needed = delay.plus(timeout).plus(jobs).plusSeconds(5);   // 5 s for the JVM to stop after the last job
            JsonNode pod = deployment(render).path("spec").path("template").path("spec");
            long grace = pod.path("terminationGracePeriodSeconds").asLong(30);
            assertTrue(grace >= needed.toSeconds(), render + ": terminationGracePeriodSeconds " + grace + " < quarkus.shutdown.delay "
                    + delay.toSeconds() + " s + quarkus.shutdown.timeout " + timeout.toSeconds() + " s + credits.maintenance.stop-timeout "
                    + jobs.toSeconds() + " s + 5 s");
        }
    }

    /** A duration the pod runs with: the Deployment's value when it sets one, else the service's own configuration, else 0. */
    private Duration duration(String render, String property, String variable) {
        String fromPod = environment(render).get(variable);
        if (fromPod != null) {
            return DurationConverter.parseDuration(fromPod);
        }
        return config.getOptionalValue(property, Duration.class).orElse(Duration.ZERO);
    }

    /**
     * The port the packaged service listens on in the pod: QUARKUS_HTTP_PORT when the Deployment sets it, else
     * quarkus.http.port of application.properties (the test's own server listens on a random port instead).
     */
    private int httpPort(String render) {
        String fromPod = environment(render).get("QUARKUS_HTTP_PORT");
        if (fromPod != null) {
            return Integer.parseInt(fromPod);
        }
        for (ConfigSource source : config.getConfigSources()) {
            if (source.getName().contains("application.properties") && source.getValue("quarkus.http.port") != null) {
                return Integer.parseInt(source.getValue("quarkus.http.port"));
            }
        }
        return fail("application.properties sets no quarkus.http.port");
    }

    // ---- the rendered objects ----------------------------------------------------------------

    private static synchronized List<JsonNode> rendered(String render) {
        return RENDERED.computeIfAbsent(render, r -> {
            String kubectl = kubectl();
            try {
                Process p = new ProcessBuilder(kubectl, "kustomize", RENDERS.get(r).toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    fail("kubectl kustomize " + RENDERS.get(r) + " failed: " + out);
                }
                List<JsonNode> objects = new ArrayList<>();
                new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(out).forEachRemaining(o -> {
                    if (o != null && !o.isNull() && !o.isMissingNode()) {
                        objects.add(o);
                    }
                });
                return objects;
            } catch (IOException e) {
                throw new IllegalStateException("cannot render " + RENDERS.get(r), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** kubectl on PATH; when it is missing the test is skipped, saying why, but fails under CI=true. */
    private static String kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = "kubectl is not on PATH, so the Kubernetes manifests in deploy/k8s were NOT checked against the service";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: CI must have kubectl)");
        }
        System.err.println("KubernetesDeploymentTest SKIPPED: " + message);   // surefire's summary shows only a count
        Assumptions.abort(message + "; install kubectl to run KubernetesDeploymentTest");
        return null;
    }

    private static List<JsonNode> objects(String render, String kind) {
        return rendered(render).stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    private static JsonNode object(String render, String kind, String name) {
        return objects(render, kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst()
                .orElseGet(() -> fail(render + ": no " + kind + "/" + name));
    }

    private static JsonNode deployment(String render) {
        return object(render, "Deployment", SERVICE);
    }

    private static JsonNode serviceContainer(String render) {
        JsonNode containers = deployment(render).path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size(), render + ": the service's pod has one container");
        return containers.get(0);
    }

    /** A probe's or Service's port, a number or the name of one of the container's ports, as a number. */
    private static int containerPort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        JsonNode named = find(container.path("ports"), p -> p.path("name").asText().equals(port.asText()));
        assertTrue(named != null, "the container has no port named " + port);
        return named.path("containerPort").asInt();
    }

    /** Every variable the service's container gets: env, and the keys of the ConfigMaps and Secrets it takes whole. */
    private static Set<String> environmentVariables(String render) {
        return new TreeSet<>(environment(render).keySet());
    }

    /** The container's environment: each variable with its literal or ConfigMap value (null when it comes from a Secret). */
    private static Map<String, String> environment(String render) {
        JsonNode container = serviceContainer(render);
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
            JsonNode ref = from.has("configMapRef") ? from.path("configMapRef") : from.path("secretRef");
            // A source that is not rendered (a Secret made by hand) is refused by deploy/k8s/test; here its keys are unknown.
            JsonNode source = object(render, kind, ref.path("name").asText());
            String prefix = from.path("prefix").asText("");
            boolean plain = "ConfigMap".equals(kind);
            source.path("data").fields().forEachRemaining(k -> names.put(prefix + k.getKey(), plain ? k.getValue().asText() : null));
            source.path("stringData").fields().forEachRemaining(k -> names.put(prefix + k.getKey(), null));
        }
        // env comes after envFrom and wins over it
        container.path("env").forEach(e -> names.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : null));
        return names;
    }

    private static void assertServesMetrics(String what, String path) {
        assertFalse(path.isEmpty(), what + ": no path");
        Response answer = given().get(path);
        assertEquals(200, answer.statusCode(), what + " " + path + " answered " + answer.statusCode());
        assertTrue((answer.contentType().startsWith("text/plain") || answer.contentType().startsWith("application/openmetrics-text"))
                        && answer.asString().contains("# TYPE jvm_threads_live_threads gauge"),
                what + " " + path + " is no Prometheus text (" + answer.contentType() + ")");
    }

    private static Set<String> checkNames(JsonNode health) {
        Set<String> names = new HashSet<>();
        health.path("checks").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    private static JsonNode find(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode n : array) {
            if (test.test(n)) {
                return n;
            }
        }
        return null;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return fail("not JSON: " + text);
        }
    }
}
