package dev.creditledger.openapi;

import dev.creditledger.api.Cursors;
import dev.creditledger.api.UserIds;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.problem.ErrorCode;
import dev.creditledger.security.Allowed;
import dev.creditledger.security.EndUser;
import dev.creditledger.security.Scope;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Discriminator;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;

/**
 * Writes into the document, once, the rules every operation shares, each from the place in the code
 * that owns it, so the contract cannot drift from the service:
 * <ul>
 * <li>one schema per problem type, from {@link ErrorCode} (its {@code type} and {@code status} fixed),
 * completed with the extra fields {@code META-INF/openapi.yaml} declares for it, and {@code AnyProblem},
 * their union; every {@code oneOf} of problems gets a discriminator on {@code type};</li>
 * <li>the key scope each operation needs, from {@link Allowed} and {@link EndUser} (what
 * {@code AuthFilter} enforces), as its security requirement and in its description;</li>
 * <li>the answers every {@code /v1} operation can give besides its own: the 400 of a bad header, 401,
 * 403 where a scope is refused, the rate-limit 429, the end-user token's 404 on backend endpoints,
 * 413 and 415 where there is a body, 500, and 503 (the database out of reach, or a token that cannot be checked);</li>
 * <li>shared parameters as references to {@code components/parameters} (the user id's rule from
 * {@link UserIds}, the idempotency key's from {@link IdempotencyKey}, the page size's from
 * {@link Cursors}), parameters in path order;</li>
 * <li>every property of a response schema required (Jackson writes every field, null or not),
 * timestamps inline as {@code date-time} strings, references without a {@code type} beside them.</li>
 * </ul>
 * It runs at build time with the application's index; the document it makes is the one served and
 * committed as {@code docs/openapi.yaml}.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ContractRulesFilter implements OASFilter {

    /** Parameters shared by several operations: written once under {@code components/parameters}. */
    static final Set<String> SHARED_PARAMETERS = Set.of("userId", "reservationId", "keyId", IdempotencyKey.HEADER,
            "limit", "cursor");
    private static final String SCHEMAS = "#/components/schemas/";
    private static final DotName OPERATION = DotName.createSimple(org.eclipse.microprofile.openapi.annotations.Operation.class);
    private static final DotName ALLOWED = DotName.createSimple(Allowed.class);
    private static final DotName END_USER = DotName.createSimple(EndUser.class);

    private final IndexView index;

    public ContractRulesFilter(IndexView index) {
        this.index = index;
    }

    /** The schema name of a problem type: {@code INSUFFICIENT_CREDITS} is {@code InsufficientCreditsProblem}. */
    public static String schemaName(ErrorCode code) {
        return Arrays.stream(code.name().split("_"))
                .map(w -> w.charAt(0) + w.substring(1).toLowerCase(Locale.ROOT))
                .collect(Collectors.joining()) + "Problem";
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null) {
            return;
        }
        Map<String, Access> access = accessByOperationId();
        problems(openAPI);
        sharedParameters(openAPI);
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                item.getOperations().forEach((method, operation) -> {
                    parametersInPathOrder(openAPI, path, operation);
                    Access a = access.get(operation.getOperationId());
                    if (a == null) {
                        throw new IllegalStateException(method + " " + path + " has no operationId on a resource method");
                    }
                    security(operation, a);
                    commonAnswers(operation, a);
                });
            }
        });
        inlineInstants(openAPI);
        refsStandAlone(openAPI);
        requireResponseProperties(openAPI);
        discriminators(openAPI);
    }

    // ---- Key scopes ---------------------------------------------------------------------------

    private record Access(boolean endUser, List<Scope> scopes) {
    }

    /** What {@code AuthFilter} lets call each operation: from the method's annotations, else its class's. */
    private Map<String, Access> accessByOperationId() {
        Map<String, Access> access = new HashMap<>();
        for (AnnotationInstance op : index.getAnnotations(OPERATION)) {
            if (op.target().kind() != AnnotationTarget.Kind.METHOD || op.value("operationId") == null) {
                continue;
            }
            MethodInfo method = op.target().asMethod();
            ClassInfo type = method.declaringClass();
            boolean endUser = method.hasDeclaredAnnotation(END_USER) || type.hasDeclaredAnnotation(END_USER);
            AnnotationInstance allowed = method.hasDeclaredAnnotation(ALLOWED) ? method.declaredAnnotation(ALLOWED)
                    : type.declaredAnnotation(ALLOWED);
            List<Scope> scopes = new ArrayList<>(List.of(Scope.admin));
            if (allowed != null) {
                Arrays.stream(allowed.value().asEnumArray()).map(Scope::valueOf)
                        .filter(s -> !scopes.contains(s)).forEach(scopes::add);
            }
            access.put(op.value("operationId").asString(), new Access(endUser, scopes));
        }
        return access;
    }

    private static void security(Operation operation, Access access) {
        List<SecurityRequirement> requirements = new ArrayList<>();
        String needs;
        if (access.endUser()) {
            requirements.add(OASFactory.createSecurityRequirement().addScheme("endUserToken"));
            needs = "Needs the signed-in user's own end-user token (API keys get 403).";
        } else {
            access.scopes().forEach(s -> requirements.add(OASFactory.createSecurityRequirement().addScheme("apiKey", s.name())));
            needs = "Needs an API key with scope " + access.scopes().stream().map(Scope::name)
                    .collect(Collectors.joining(" or ")) + ".";
        }
        operation.setSecurity(requirements);
        String description = operation.getDescription();
        operation.setDescription(description == null || description.isBlank() ? needs : description.strip() + "\n\n" + needs);
    }

    // ---- Answers every operation shares ---------------------------------------------------------

    private static void commonAnswers(Operation operation, Access access) {
        var responses = operation.getResponses();
        if (!responses.hasAPIResponse("400")) {
            // RawRequestFilter checks the Idempotency-Key header (and a path's user id) before routing.
            responses.addAPIResponse("400", ref("InvalidRequest"));
        }
        responses.addAPIResponse("401", ref("Unauthorized"));
        if (access.endUser() || !access.scopes().containsAll(List.of(Scope.values()))) {
            responses.addAPIResponse("403", ref("Forbidden"));
        }
        if (!responses.hasAPIResponse("429")) {
            responses.addAPIResponse("429", ref("RateLimited"));
        }
        if (!access.endUser() && !responses.hasAPIResponse("404")) {
            // An end-user token sent to a backend endpoint. Where the operation has its own 404, that response lists it.
            responses.addAPIResponse("404", ref("NotFound"));
        }
        if (operation.getRequestBody() != null) {
            responses.addAPIResponse("413", ref("PayloadTooLarge"));
            responses.addAPIResponse("415", ref("UnsupportedMediaType"));
        }
        responses.addAPIResponse("500", ref("Internal"));
        // The database out of reach, or a credential shaped like a JWT that cannot be checked, wherever it is sent.
        responses.addAPIResponse("503", ref("Unavailable"));
        responses.setAPIResponses(new TreeMap<>(responses.getAPIResponses()));
    }

    private static APIResponse ref(String name) {
        return OASFactory.createAPIResponse().ref(name);
    }

    // ---- Parameters ---------------------------------------------------------------------------

    private static void sharedParameters(OpenAPI openAPI) {
        Map<String, Parameter> parameters = openAPI.getComponents().getParameters();
        parameters.get("userId").description("The app's user id: " + UserIds.RULE)
                .getSchema().pattern(UserIds.PATTERN).minLength(1).maxLength(UserIds.MAX_LENGTH);
        parameters.get("IdempotencyKey").getSchema().pattern(IdempotencyKey.PATTERN).minLength(1)
                .maxLength(IdempotencyKey.MAX_LENGTH);
        parameters.get("limit").getSchema().minimum(java.math.BigDecimal.ONE)
                .maximum(java.math.BigDecimal.valueOf(Cursors.MAX_LIMIT)).defaultValue(Cursors.DEFAULT_LIMIT);
    }

    private static void parametersInPathOrder(OpenAPI openAPI, String path, Operation operation) {
        if (operation.getParameters() == null) {
            return;
        }
        Map<String, Parameter> shared = openAPI.getComponents().getParameters();
        List<Parameter> parameters = new ArrayList<>();
        for (Parameter p : operation.getParameters()) {
            if (p.getRef() == null && SHARED_PARAMETERS.contains(p.getName())) {
                parameters.add(OASFactory.createParameter().ref(p.getName().equals(IdempotencyKey.HEADER) ? "IdempotencyKey" : p.getName()));
            } else {
                parameters.add(p);
            }
        }
        List<Parameter.In> order = List.of(Parameter.In.PATH, Parameter.In.QUERY, Parameter.In.HEADER);
        java.util.function.Function<Parameter, Parameter> resolved = p -> p.getRef() == null ? p : shared.get(name(p));
        parameters.sort(Comparator.comparing((Parameter p) -> order.indexOf(resolved.apply(p).getIn()))
                .thenComparing(p -> path.indexOf("{" + resolved.apply(p).getName() + "}")));
        operation.setParameters(parameters);
    }

    private static String name(Parameter p) {
        return p.getRef() != null ? p.getRef().substring(p.getRef().lastIndexOf('/') + 1) : p.getName();
    }

    // ---- Problems -----------------------------------------------------------------------------

    /** One schema per {@link ErrorCode}, with what {@code META-INF/openapi.yaml} adds to it, and their union. */
    private static void problems(OpenAPI openAPI) {
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        List<Schema> all = new ArrayList<>();
        for (ErrorCode code : ErrorCode.values()) {
            String name = schemaName(code);
            Schema extra = schemas.get(name);
            Schema problem = OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                    .description(code.title() + " (RFC 9457 problem details" + (extra != null && extra.getDescription() != null
                            ? "; " + extra.getDescription() : "") + ")")
                    .addProperty("type", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)).constValue(code.type())
                            .description("The problem type; switch on it"))
                    .addProperty("title", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)).examples(List.of(code.title())))
                    .addProperty("status", OASFactory.createSchema().type(List.of(Schema.SchemaType.INTEGER)).constValue(code.status()))
                    .addProperty("detail", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                            .description("What happened, for people"))
                    .addProperty("instance", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                            .description("The request's path"));
            List<String> required = new ArrayList<>(List.of("type", "title", "status", "detail", "instance"));
            if (extra != null) {
                if (extra.getProperties() != null) {
                    extra.getProperties().forEach(problem::addProperty);
                }
                if (extra.getRequired() != null) {
                    required.addAll(extra.getRequired());
                }
            }
            problem.required(required);
            openAPI.getComponents().addSchema(name, problem);
            all.add(OASFactory.createSchema().ref(name));
        }
        openAPI.getComponents().addSchema("AnyProblem", OASFactory.createSchema().description("Any problem the service answers, told apart by `type`")
                .oneOf(all));
    }

    /** A {@code oneOf} of problems gets a discriminator on {@code type} with every member's value. */
    private static void discriminators(OpenAPI openAPI) {
        Map<String, ErrorCode> codes = new HashMap<>();
        for (ErrorCode code : ErrorCode.values()) {
            codes.put(SCHEMAS + schemaName(code), code);
        }
        for (Schema schema : allSchemas(openAPI)) {
            if (schema.getOneOf() == null || schema.getOneOf().isEmpty()
                    || !schema.getOneOf().stream().allMatch(s -> s.getRef() != null && codes.containsKey(s.getRef()))) {
                continue;
            }
            Discriminator discriminator = OASFactory.createDiscriminator().propertyName("type");
            schema.getOneOf().forEach(s -> discriminator.addMapping(codes.get(s.getRef()).type(), s.getRef()));
            schema.discriminator(discriminator);
        }
    }

    // ---- Schemas ------------------------------------------------------------------------------

    /** {@code java.time.Instant} is a date-time string, written inline (nullable where the field is). */
    private static void inlineInstants(OpenAPI openAPI) {
        String instant = SCHEMAS + "Instant";
        for (Schema schema : allSchemas(openAPI)) {
            if (instant.equals(schema.getRef())) {
                schema.setRef(null);
                schema.type(List.of(Schema.SchemaType.STRING)).format("date-time");
            }
            if (schema.getAnyOf() != null && schema.getAnyOf().size() == 2
                    && schema.getAnyOf().stream().anyMatch(s -> instant.equals(s.getRef()))) {
                schema.anyOf(null).type(List.of(Schema.SchemaType.STRING, Schema.SchemaType.NULL)).format("date-time");
            }
        }
        openAPI.getComponents().removeSchema("Instant");
    }

    /** A reference to a named schema (an enum) carries no {@code type} of its own beside it; generators drop it anyway. */
    private static void refsStandAlone(OpenAPI openAPI) {
        for (Schema schema : allSchemas(openAPI)) {
            if (schema.getRef() != null && schema.getType() != null) {
                schema.setType(null);
            }
        }
    }

    /** The service writes every field of what it answers, null or not: each is required. */
    private static void requireResponseProperties(OpenAPI openAPI) {
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        Set<String> names = new LinkedHashSet<>();
        List<Schema> todo = new ArrayList<>();
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(op ->
                op.getResponses().getAPIResponses().values().forEach(r -> {
                    if (r.getContent() != null && r.getRef() == null) {
                        r.getContent().getMediaTypes().values().forEach(m -> todo.add(m.getSchema()));
                    }
                })));
        while (!todo.isEmpty()) {
            Schema s = todo.remove(todo.size() - 1);
            if (s == null) {
                continue;
            }
            if (s.getRef() != null) {
                String name = s.getRef().substring(SCHEMAS.length());
                if (names.add(name) && schemas.get(name) != null) {
                    todo.add(schemas.get(name));
                }
                continue;
            }
            todo.addAll(children(s));
        }
        for (String name : names) {
            Schema s = schemas.get(name);
            if (s != null && s.getProperties() != null && !name.endsWith("Problem")) {
                s.required(new ArrayList<>(s.getProperties().keySet()));
            }
        }
    }

    private static Collection<Schema> allSchemas(OpenAPI openAPI) {
        List<Schema> found = new ArrayList<>();
        List<Schema> todo = new ArrayList<>(openAPI.getComponents().getSchemas().values());
        if (openAPI.getComponents().getResponses() != null) {
            openAPI.getComponents().getResponses().values().forEach(r -> todo.addAll(schemasOf(r.getContent())));
        }
        if (openAPI.getComponents().getParameters() != null) {
            openAPI.getComponents().getParameters().values().forEach(p -> todo.add(p.getSchema()));
        }
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(op -> {
            if (op.getParameters() != null) {
                op.getParameters().forEach(p -> todo.add(p.getSchema()));
            }
            if (op.getRequestBody() != null) {
                todo.addAll(schemasOf(op.getRequestBody().getContent()));
            }
            op.getResponses().getAPIResponses().values().forEach(r -> todo.addAll(schemasOf(r.getContent())));
        }));
        Set<Schema> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Schema s = todo.remove(todo.size() - 1);
            if (s != null && seen.add(s)) {
                found.add(s);
                todo.addAll(children(s));
            }
        }
        return found;
    }

    private static List<Schema> schemasOf(Content content) {
        List<Schema> schemas = new ArrayList<>();
        if (content != null && content.getMediaTypes() != null) {
            for (MediaType m : content.getMediaTypes().values()) {
                schemas.add(m.getSchema());
            }
        }
        return schemas;
    }

    private static List<Schema> children(Schema s) {
        List<Schema> children = new ArrayList<>();
        if (s.getProperties() != null) {
            children.addAll(s.getProperties().values());
        }
        if (s.getItems() != null) {
            children.add(s.getItems());
        }
        for (List<Schema> list : Arrays.asList(s.getAllOf(), s.getAnyOf(), s.getOneOf())) {
            if (list != null) {
                children.addAll(list);
            }
        }
        return children;
    }
}
