package dev.creditledger.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.creditledger.domain.Plans;
import dev.creditledger.domain.RefusedException;
import dev.creditledger.sql.DatabaseOutage;
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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where every failure becomes an RFC 9457 problem. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final Plans plans;

    public ProblemMappers(Plans plans) {
        this.plans = plans;
    }

    @ServerExceptionMapper
    public Response refused(RefusedException e, UriInfo uri) {
        return credit(Refusals.problem(e.refusal(), plans), uri);
    }

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
        return JsonProblems.of(e, uri.getPath());
    }

    /**
     * Jackson's binding errors (wrong type, unknown field, bad enum or date, trailing data). Quarkus
     * REST ships its own mapper for this exact type, which answers plain JSON without a problem
     * type; this one, being as specific, takes its place.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return JsonProblems.of(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e, UriInfo uri) {
        return JsonProblems.of(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return JsonProblems.of(json, uri.getPath());
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
        if (root != e && root instanceof RefusedException refused) {
            return refused(refused, uri);
        }
        if (root != e && (root instanceof CreditException || root instanceof ConstraintViolationException)) {
            return root instanceof CreditException c ? credit(c, uri)
                    : constraintViolation((ConstraintViolationException) root, uri);
        }
        if (DatabaseOutage.causedBy(e)) {
            LOG.warnf("The database cannot be reached (%s); %s answered 503", root, uri.getPath());
            return Problem.of(CreditException.unavailable("The database cannot be reached right now; retry after "
                    + DatabaseOutage.RETRY_AFTER_SECONDS + " s (with the same Idempotency-Key: a write may have been made)",
                    DatabaseOutage.RETRY_AFTER_SECONDS), uri.getPath());
        }
        LOG.errorf(e, "Unexpected failure on %s", uri.getPath());
        return Problem.of(ErrorCode.INTERNAL, "The request failed unexpectedly; it may be retried with the same Idempotency-Key",
                uri.getPath());
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
