package dev.creditledger.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.creditledger.client.invoker.ApiException;
import dev.creditledger.client.model.FieldError;
import dev.creditledger.client.model.InsufficientCreditsProblem;
import dev.creditledger.client.model.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/** Reads the service's problem+json answers out of the generated {@link ApiException}. */
public final class Problems {

    public static final String PREFIX = "urn:credit-ledger:problem:";
    public static final String VALIDATION = PREFIX + "validation";
    public static final String MALFORMED_JSON = PREFIX + "malformed-json";
    public static final String UNKNOWN_FEATURE = PREFIX + "unknown-feature";
    public static final String UNKNOWN_TIER = PREFIX + "unknown-tier";
    public static final String UNAUTHORIZED = PREFIX + "unauthorized";
    public static final String FORBIDDEN = PREFIX + "forbidden";
    public static final String NOT_FOUND = PREFIX + "not-found";
    public static final String ACCOUNT_NOT_FOUND = PREFIX + "account-not-found";
    public static final String RESERVATION_NOT_FOUND = PREFIX + "reservation-not-found";
    public static final String KEY_NOT_FOUND = PREFIX + "key-not-found";
    public static final String RESERVATION_NOT_OPEN = PREFIX + "reservation-not-open";
    public static final String METHOD_NOT_ALLOWED = PREFIX + "method-not-allowed";
    public static final String UNSUPPORTED_MEDIA_TYPE = PREFIX + "unsupported-media-type";
    public static final String IDEMPOTENCY_KEY_REUSED = PREFIX + "idempotency-key-reused";
    public static final String INSUFFICIENT_CREDITS = PREFIX + "insufficient-credits";
    public static final String TOO_MANY_RESERVATIONS = PREFIX + "too-many-reservations";
    public static final String RATE_LIMITED = PREFIX + "rate-limited";
    public static final String INTERNAL = PREFIX + "internal";
    public static final String UNAVAILABLE = PREFIX + "unavailable";
    /** RFC 9457's type of a problem with no type, used here for an answer without a problem body. */
    public static final String ABOUT_BLANK = "about:blank";

    private static final ObjectMapper MAPPER = CreditLedgerClient.newObjectMapper();

    private Problems() {
    }

    /**
     * The problem in {@code e}'s response. An answer without a JSON body (the HTTP layer's bare 403
     * and 413, or a proxy's page) is an {@link CreditLedgerProblem.Other} of type {@code about:blank}
     * with the HTTP status.
     *
     * @throws IllegalArgumentException when {@code e} carries no HTTP answer at all (a connection
     *     failure, a timeout: its {@code getCode()} is 0), since there is no problem to read
     */
    public static CreditLedgerProblem from(ApiException e) {
        return from(e, Clock.systemUTC());
    }

    static CreditLedgerProblem from(ApiException e, Clock clock) {
        if (e.getCode() == 0) {
            throw new IllegalArgumentException("no HTTP answer to read a problem from: " + e, e);
        }
        JsonNode body = parse(e.getResponseBody());
        Optional<Duration> retryAfter = e.getResponseHeaders() == null ? Optional.empty()
                : e.getResponseHeaders().firstValue("Retry-After").flatMap(v -> parseRetryAfter(v, clock));
        CreditLedgerProblem.Details details = new CreditLedgerProblem.Details(
                text(body, "type").orElse(ABOUT_BLANK),
                text(body, "title").orElse(null),
                body.path("status").canConvertToInt() ? body.path("status").asInt() : e.getCode(),
                text(body, "detail").orElse(null),
                text(body, "instance").orElse(null),
                retryAfter,
                body);
        try {
            return switch (details.type()) {
                case INSUFFICIENT_CREDITS -> new CreditLedgerProblem.InsufficientCredits(
                        details, MAPPER.treeToValue(body, InsufficientCreditsProblem.class));
                case TOO_MANY_RESERVATIONS -> new CreditLedgerProblem.TooManyReservations(
                        details, integer(body, "openReservations"), integer(body, "maxOpenReservations"));
                case RATE_LIMITED -> new CreditLedgerProblem.RateLimited(details);
                case RESERVATION_NOT_OPEN -> new CreditLedgerProblem.ReservationNotOpen(
                        details, body.hasNonNull("reservation")
                                ? MAPPER.treeToValue(body.get("reservation"), Reservation.class) : null);
                default -> body.path("errors").isArray()
                        ? new CreditLedgerProblem.Validation(details, MAPPER.convertValue(
                                body.get("errors"), new TypeReference<List<FieldError>>() { }))
                        : new CreditLedgerProblem.Other(details);
            };
        } catch (JsonProcessingException | IllegalArgumentException unreadable) {
            // A body of a known type whose fields do not read: still a problem, with its common fields.
            return new CreditLedgerProblem.Other(details);
        }
    }

    /** {@code Retry-After}: delay-seconds, or an HTTP date (taken relative to {@code clock}). */
    static Optional<Duration> parseRetryAfter(String value, Clock clock) {
        String v = value.trim();
        if (v.matches("\\d{1,18}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException notADate) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node != null && node.isObject() ? node : JsonNodeFactory.instance.objectNode();
        } catch (JsonProcessingException notJson) {
            return JsonNodeFactory.instance.objectNode();
        }
    }

    private static Integer integer(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && v.canConvertToInt() && v.isIntegralNumber() ? v.asInt() : null;
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }
}
