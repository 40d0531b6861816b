package dev.creditledger.problem;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds RFC 9457 {@code application/problem+json} responses. */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problem() {
    }

    public static Response of(CreditException e, String instance) {
        Response.ResponseBuilder builder = Response.status(e.code().status())
                .type(MEDIA_TYPE)
                .entity(body(e.code(), e.getMessage(), instance, e.extensions()));
        e.headers().forEach(builder::header);
        return builder.build();
    }

    public static Response of(ErrorCode code, String detail, String instance) {
        return of(new CreditException(code, detail), instance);
    }

    public static Response invalid(List<CreditException.FieldError> errors, String instance) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.message())
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return of(new CreditException(ErrorCode.VALIDATION, detail).with("errors", errors), instance);
    }

    static Map<String, Object> body(ErrorCode code, String detail, String instance, Map<String, Object> extensions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", code.type());
        body.put("title", code.title());
        body.put("status", code.status());
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        body.putAll(extensions);
        return body;
    }
}
