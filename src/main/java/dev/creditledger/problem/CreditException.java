package dev.creditledger.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal with a stable {@link ErrorCode}. Thrown inside a transaction, it rolls the whole
 * transaction back, so a refused request changes nothing.
 */
public class CreditException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public CreditException(ErrorCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public static CreditException invalid(String field, String message) {
        return new CreditException(ErrorCode.VALIDATION, field + ": " + message)
                .with("errors", java.util.List.of(new FieldError(field, message)));
    }

    public static CreditException accountNotFound(String userId) {
        return new CreditException(ErrorCode.ACCOUNT_NOT_FOUND, "No account for user id '" + userId + "'");
    }

    /** 503 {@code unavailable}: the service cannot answer now; {@code Retry-After} says when to try again. */
    public static CreditException unavailable(String detail, int retryAfterSeconds) {
        return new CreditException(ErrorCode.UNAVAILABLE, detail).header("Retry-After", Integer.toString(retryAfterSeconds));
    }

    public CreditException with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public CreditException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** One offending field of a request, named as the client spelled it. */
    public record FieldError(String field, String message) {
    }
}
