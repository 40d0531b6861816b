package dev.creditledger.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where every failure becomes an RFC 9457 problem. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

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
        return Problem.of(ErrorCode.MALFORMED_JSON, "The body is not valid JSON: " + e.getOriginalMessage(), uri.getPath());
    }

    private static String describe(JsonMappingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return "invalid value";
        }
        if (message.contains("out of range")) {
            return "number out of range";
        }
        if (message.contains("Cannot coerce") || message.contains("Cannot deserialize")) {
            return "wrong type";
        }
        return "invalid value";
    }

    private static String fieldName(ConstraintViolation<?> violation) {
        String last = null;
        for (Path.Node node : violation.getPropertyPath()) {
            last = node.getName();
        }
        return last == null ? "request" : last;
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
