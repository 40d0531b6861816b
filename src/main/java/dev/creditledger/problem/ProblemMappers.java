package dev.creditledger.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where every failure becomes an RFC 9457 problem. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final Pattern SOURCE_NOTE = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)|\\s*at \\[Source:[^\\]]*\\]");
    private static final Pattern DUPLICATE_FIELD = Pattern.compile("^Duplicate field '(.*)'");
    private static final Set<Class<?>> WHOLE_NUMBERS = Set.of(Long.class, long.class, Integer.class, int.class, Short.class,
            short.class, BigInteger.class);
    private static final Set<Class<?>> NUMBERS = Set.of(BigDecimal.class, Double.class, double.class, Float.class, float.class);

    @ServerExceptionMapper
    public Response credit(CreditException e, UriInfo uri) {
        return Problem.of(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<CreditException.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new CreditException.FieldError(fieldName(v), v.getMessage()))
                .sorted(Comparator.comparing(CreditException.FieldError::field))
                .collect(Collectors.toList());
        return Problem.invalid(errors, uri.getPath());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    /**
     * Jackson's binding errors (wrong type, unknown field, bad enum or date, trailing data). Quarkus
     * REST ships its own mapper for this exact type, which answers plain JSON without a problem
     * type; this one, being as specific, takes its place.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return jsonProblem(json, uri);
        }
        if (e instanceof NotFoundException) {
            return Problem.of(ErrorCode.NOT_FOUND, "No resource at " + uri.getPath(), uri.getPath());
        }
        if (e instanceof NotAllowedException) {
            return Problem.of(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed on " + uri.getPath(), uri.getPath());
        }
        if (e instanceof NotSupportedException) {
            return Problem.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send application/json", uri.getPath());
        }
        int status = e.getResponse().getStatus();
        if (status >= 400 && status < 500) {
            return Problem.of(ErrorCode.VALIDATION, e.getMessage(), uri.getPath());
        }
        return unexpected(e, uri);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        Throwable root = unwrap(e);
        if (root != e && (root instanceof CreditException || root instanceof ConstraintViolationException)) {
            return root instanceof CreditException c ? credit(c, uri)
                    : constraintViolation((ConstraintViolationException) root, uri);
        }
        LOG.errorf(e, "Unexpected failure on %s", uri.getPath());
        return Problem.of(ErrorCode.INTERNAL, "The request failed unexpectedly; it may be retried with the same Idempotency-Key",
                uri.getPath());
    }

    private static Response jsonProblem(JsonProcessingException e, UriInfo uri) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
            String message = e instanceof UnrecognizedPropertyException ? "unknown field" : describe(mapping);
            return Problem.invalid(List.of(new CreditException.FieldError(field, message)), uri.getPath());
        }
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher duplicate = DUPLICATE_FIELD.matcher(original);
        if (duplicate.find()) {
            return Problem.invalid(List.of(new CreditException.FieldError(duplicate.group(1), "appears more than once")), uri.getPath());
        }
        if (e instanceof MismatchedInputException) {
            // Valid JSON of the wrong shape: an array, a string or a number where an object belongs,
            // or a second value after the first.
            String detail = original.startsWith("Trailing token")
                    ? "The body must be one JSON object, with nothing after it"
                    : "The body must be a JSON object";
            return Problem.of(ErrorCode.MALFORMED_JSON, detail, uri.getPath());
        }
        // Jackson's location note ("[Source: REDACTED ...; line: 1, column: 1]") says nothing to a client.
        String reason = SOURCE_NOTE.matcher(original).replaceAll("");
        return Problem.of(ErrorCode.MALFORMED_JSON, "The body is not valid JSON: " + reason, uri.getPath());
    }

    /** What a value of the wrong kind should have been, in the client's terms (never a Java type). */
    private static String describe(JsonMappingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Class<?> target = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        if (target == Instant.class) {
            return message.contains("out of range") ? "must be a date-time from year 0001 to 9999"
                    : "must be a date-time such as 2027-01-31T00:00:00Z";
        }
        if (message.contains("out of range")) {
            return "number out of range";
        }
        if (target != null && target.isEnum()) {
            return "must be one of " + Arrays.stream(target.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        }
        if (target != null && WHOLE_NUMBERS.contains(target)) {
            return "must be a whole number";
        }
        if (target != null && NUMBERS.contains(target)) {
            return "must be a number";
        }
        if (target == String.class) {
            return "must be a string";
        }
        if (message.contains("Cannot coerce") || message.contains("Cannot deserialize")) {
            return "wrong type";
        }
        return "invalid value";
    }

    private static String fieldName(ConstraintViolation<?> violation) {
        String last = null;
        for (Path.Node node : violation.getPropertyPath()) {
            // A constraint on a method parameter itself is the body (@NotNull on the request):
            // the client never spelled the Java parameter name.
            last = node.getKind() == ElementKind.PARAMETER ? "body" : node.getName();
        }
        return last == null ? "body" : last;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable current = e;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        if (e instanceof io.smallrye.mutiny.CompositeException composite) {
            return composite.getCauses().get(0);
        }
        return current;
    }
}
