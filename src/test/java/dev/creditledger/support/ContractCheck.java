package dev.creditledger.support;

import com.networknt.schema.Error;
import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds every answer a test receives against the OpenAPI document the service serves (which
 * {@code OpenApiContractTest} holds equal to the committed {@code docs/openapi.yaml}): the operation
 * must document the status, and the body must validate against the schema documented for its status
 * and media type (JSON Schema 2020-12, date-time formats asserted). A test that gets an undocumented
 * answer fails on the spot, so the whole suite is a tour of the contract, success and error answers
 * alike. Requests to no documented operation ({@code /q/...}, unknown paths and methods) are not checked,
 * nor the bare 403 the HTTP layer's CORS check gives a browser request from an origin it does not allow.
 */
public final class ContractCheck implements Filter {

    public static final ContractCheck INSTANCE = new ContractCheck();
    private static final String BASE = "https://credit-ledger.test/openapi.json";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * Where each instance writes the operations and statuses it saw when the JVM ends, for
     * {@code .ci/contract-coverage}: one file each ({@code <pid>-<uuid>.txt}), since every Quarkus
     * test application (each test profile) loads this class afresh.
     */
    public static final java.nio.file.Path COVERAGE = java.nio.file.Path.of("target/contract-coverage");

    private volatile Document document;
    private final java.util.Set<String> seen = ConcurrentHashMap.newKeySet();

    private ContractCheck() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                java.nio.file.Files.createDirectories(COVERAGE);
                java.nio.file.Files.write(COVERAGE.resolve(ProcessHandle.current().pid() + "-" + java.util.UUID.randomUUID() + ".txt"),
                        new java.util.TreeSet<>(seen));
            } catch (java.io.IOException e) {
                System.err.println("cannot write " + COVERAGE + ": " + e);
            }
        }));
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec, FilterContext context) {
        Response response = context.next(request, responseSpec);
        String path = URI.create(request.getURI()).getRawPath();
        if (response.statusCode() == 403 && request.getHeaders().hasHeaderWithName("Origin") && response.asString().isEmpty()) {
            return response; // the CORS check's bare 403, made before the service sees the request (see Forbidden)
        }
        List<String> problems = check(request.getMethod(), path, response.statusCode(), response.contentType(), response.asString());
        String operationId = document().operationId(request.getMethod(), path);
        if (operationId != null) {
            seen.add(operationId + " " + response.statusCode());
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("The answer to " + request.getMethod() + " " + request.getURI() + " breaks docs/openapi.yaml: "
                    + String.join("; ", problems) + "\nstatus " + response.statusCode() + ", body " + response.asString());
        }
        return response;
    }

    /** What is wrong with this answer by the document; empty when it conforms or no operation matches. */
    public List<String> check(String method, String path, int status, String contentType, String body) {
        Document doc = document();
        String template = doc.template(path);
        if (template == null) {
            return List.of();
        }
        JsonNode operation = doc.json.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        if (operation.isMissingNode()) {
            return List.of();
        }
        String code = Integer.toString(status);
        JsonNode answer = operation.path("responses").path(code);
        String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + code;
        if (answer.isMissingNode()) {
            return List.of("status " + status + " is not documented for " + operation.path("operationId").asString());
        }

        if (answer.has("$ref")) {
            pointer = answer.get("$ref").asString().substring(1);
            answer = doc.json.at(pointer);
        }
        JsonNode content = answer.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return body == null || body.isEmpty() ? List.of() : List.of("the document promises no body");
        }
        String media = contentType == null ? "" : contentType.split(";")[0].trim();
        if (!content.has(media)) {
            return List.of("media type '" + media + "' is not documented (documented: " + content.propertyNames() + ")");
        }
        Schema schema = doc.schema(pointer + "/content/" + escape(media) + "/schema");
        List<Error> errors = schema.validate(body, InputFormat.JSON, (ctx, schemaContext) ->
                ctx.setExecutionConfig(ExecutionConfig.builder().formatAssertionsEnabled(true).build()));
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).collect(Collectors.toList());
    }

    private Document document() {
        Document doc = document;
        if (doc == null) {
            synchronized (this) {
                if (document == null) {
                    document = new Document(served());
                }
                doc = document;
            }
        }
        return doc;
    }

    private static String served() {
        try {
            int port = io.restassured.RestAssured.port;
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/q/openapi?format=json")).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /q/openapi answered " + response.statusCode());
            }
            return response.body();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the served OpenAPI document", e);
        }
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    private static final class Document {
        final JsonNode json;
        final SchemaRegistry registry;
        final Map<Pattern, String> templates = new ConcurrentHashMap<>();
        final Map<String, Schema> schemas = new ConcurrentHashMap<>();

        Document(String text) {
            json = JSON.readTree(text);
            registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(BASE, text)));
            json.path("paths").propertyNames().forEach(t ->
                    templates.put(Pattern.compile("^" + t.replaceAll("\\{[^}]+}", "[^/]+") + "$"), t));
        }

        String template(String path) {
            String exact = json.path("paths").has(path) ? path : null;
            if (exact != null) {
                return exact;
            }
            return templates.entrySet().stream().filter(e -> e.getKey().matcher(path).matches())
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }

        String operationId(String method, String path) {
            String template = template(path);
            return template == null ? null
                    : json.path("paths").path(template).path(method.toLowerCase(Locale.ROOT)).path("operationId").asString(null);
        }

        Schema schema(String pointer) {
            return schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(BASE + "#" + p
                    .replace("{", "%7B").replace("}", "%7D"))));
        }
    }
}
