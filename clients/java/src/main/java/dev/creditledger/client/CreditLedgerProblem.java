package dev.creditledger.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.creditledger.client.model.FieldError;
import dev.creditledger.client.model.InsufficientCreditsProblem;
import dev.creditledger.client.model.Reservation;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * An RFC 9457 problem the service answered, read from an ApiException by {@link Problems#from}.
 * Switch on the subtype (or on {@link #type()}, the stable URN); a type this client does not know
 * is {@link Other}, with the whole body still at hand in {@link #body()}.
 *
 * <pre>{@code
 * } catch (ApiException e) {
 *     if (Problems.from(e) instanceof CreditLedgerProblem.InsufficientCredits p) {
 *         show(p.remainingCredits(), p.monthlyResetDate(), p.retryAfter());
 *     }
 * }
 * }</pre>
 */
public sealed interface CreditLedgerProblem
        permits CreditLedgerProblem.InsufficientCredits, CreditLedgerProblem.TooManyReservations,
                CreditLedgerProblem.RateLimited, CreditLedgerProblem.ReservationNotOpen,
                CreditLedgerProblem.Validation, CreditLedgerProblem.Other {

    /**
     * What every problem has. {@code type} is {@code about:blank} when the answer had no problem
     * body (the HTTP layer's bare 403 and 413); {@code status} is the body's, else the HTTP status.
     */
    record Details(String type, String title, int status, String detail, String instance,
                   Optional<Duration> retryAfter, JsonNode body) {
    }

    Details details();

    /** The stable error type, e.g. {@code urn:credit-ledger:problem:insufficient-credits}. */
    default String type() { return details().type(); }
    default String title() { return details().title(); }
    default int status() { return details().status(); }
    default String detail() { return details().detail(); }
    default String instance() { return details().instance(); }
    /** The {@code Retry-After} header (seconds or an HTTP date) as a duration from now, when sent. */
    default Optional<Duration> retryAfter() { return details().retryAfter(); }
    /** The body as sent, for extension fields this client has no accessor for (an empty object when there was none). */
    default JsonNode body() { return details().body(); }

    /** 429 {@code insufficient-credits}: the account cannot pay; nothing changed. */
    record InsufficientCredits(Details details, InsufficientCreditsProblem fields) implements CreditLedgerProblem {
        public BigDecimal remainingCredits() { return fields.getRemainingCredits(); }
        /** Tokens available. */
        public Long maxTokens() { return fields.getMaxTokens(); }
        public Long requiredTokens() { return fields.getRequiredTokens(); }
        public BigDecimal requiredCredits() { return fields.getRequiredCredits(); }
        public OffsetDateTime monthlyResetDate() { return fields.getMonthlyResetDate(); }
    }

    /** 429 {@code too-many-reservations}: the account holds as many open reservations as it may; retry after the first expires. */
    record TooManyReservations(Details details, Integer openReservations, Integer maxOpenReservations)
            implements CreditLedgerProblem {
    }

    /** 429 {@code rate-limited}: the credential (or the client address) is over its rate limit; nothing changed. */
    record RateLimited(Details details) implements CreditLedgerProblem {
    }

    /** 409 {@code reservation-not-open}: already settled, released or expired; {@code reservation} as it stands. */
    record ReservationNotOpen(Details details, Reservation reservation) implements CreditLedgerProblem {
    }

    /** 400 {@code validation} (and the other 400s that name fields): each offending field. */
    record Validation(Details details, List<FieldError> errors) implements CreditLedgerProblem {
    }

    /** Any other type: unauthorized, forbidden, rate-limited, account-not-found, ... or one newer than this client. */
    record Other(Details details) implements CreditLedgerProblem {
    }
}
