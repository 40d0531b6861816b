package dev.creditledger.problem;

/**
 * Every error the API can answer, with its HTTP status and its stable problem type.
 * The type URI never changes once published; clients may switch on it.
 */
public enum ErrorCode {
    VALIDATION(400, "validation", "Request is not valid"),
    MALFORMED_JSON(400, "malformed-json", "Request body is not valid JSON"),
    UNKNOWN_FEATURE(400, "unknown-feature", "Unknown feature"),
    UNKNOWN_TIER(400, "unknown-tier", "Unknown tier"),
    UNAUTHORIZED(401, "unauthorized", "Missing or invalid credentials"),
    FORBIDDEN(403, "forbidden", "Credentials lack the permission"),
    KEY_NOT_FOUND(404, "key-not-found", "API key not found"),
    ACCOUNT_NOT_FOUND(404, "account-not-found", "Account not found"),
    RESERVATION_NOT_FOUND(404, "reservation-not-found", "Reservation not found"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    RESERVATION_NOT_OPEN(409, "reservation-not-open", "Reservation is no longer open"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused",
            "Idempotency key was already used for a different request"),
    RATE_LIMITED(429, "rate-limited", "Too many requests"),
    INSUFFICIENT_CREDITS(429, "insufficient-credits", "Insufficient credits"),
    TOO_MANY_RESERVATIONS(429, "too-many-reservations", "Too many open reservations"),
    INTERNAL(500, "internal", "Internal error"),
    UNAVAILABLE(503, "unavailable", "Temporarily unavailable");

    public static final String TYPE_PREFIX = "urn:credit-ledger:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ErrorCode(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String type() {
        return TYPE_PREFIX + slug;
    }

    public String title() {
        return title;
    }
}
