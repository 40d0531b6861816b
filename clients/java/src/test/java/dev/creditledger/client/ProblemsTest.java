package dev.creditledger.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.client.invoker.ApiException;
import dev.creditledger.client.model.ReservationStatus;
import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The mapping from a canned ApiException (as the generated API throws it) to a typed problem. No service needed. */
class ProblemsTest {

    private static ApiException answer(int status, String body, String... headerPairs) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        headers.put("Content-Type", List.of("application/problem+json"));
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], List.of(headerPairs[i + 1]));
        }
        return new ApiException(status, "consume call failed with: " + status + " - " + body,
                HttpHeaders.of(headers, (k, v) -> true), body);
    }

    @Test
    void insufficientCredits() {
        ApiException e = answer(429, """
                {"type":"urn:credit-ledger:problem:insufficient-credits","title":"Insufficient credits","status":429,
                 "detail":"You have 0.5 credits remaining (1000 tokens)","instance":"/v1/accounts/user_123/consume",
                 "error":"Insufficient credits","remainingCredits":0.5,"maxTokens":1000,"requiredTokens":2000,
                 "requiredCredits":1,"monthlyResetDate":"2026-12-24T10:00:00Z","newField":[1,2]}
                """, "retry-after", "86400");

        CreditLedgerProblem problem = Problems.from(e);

        CreditLedgerProblem.InsufficientCredits p = assertInstanceOf(CreditLedgerProblem.InsufficientCredits.class, problem);
        assertEquals(Problems.INSUFFICIENT_CREDITS, p.type());
        assertEquals("Insufficient credits", p.title());
        assertEquals(429, p.status());
        assertEquals("You have 0.5 credits remaining (1000 tokens)", p.detail());
        assertEquals("/v1/accounts/user_123/consume", p.instance());
        assertEquals(new BigDecimal("0.5"), p.remainingCredits());
        assertEquals(1000L, p.maxTokens());
        assertEquals(2000L, p.requiredTokens());
        assertEquals(new BigDecimal("1"), p.requiredCredits());
        assertEquals(OffsetDateTime.parse("2026-12-24T10:00:00Z").toInstant(), p.monthlyResetDate().toInstant());
        assertEquals(Optional.of(Duration.ofDays(1)), p.retryAfter());
        assertEquals(2, p.body().get("newField").size());
    }

    @Test
    void reservationNotOpenCarriesTheReservation() {
        CreditLedgerProblem problem = Problems.from(answer(409, """
                {"type":"urn:credit-ledger:problem:reservation-not-open","title":"Reservation is no longer open",
                 "status":409,"detail":"Reservation 17 is already settled; nothing was changed",
                 "reservation":{"reservationId":17,"userId":"user_123","status":"settled","chargedTokens":3120}}
                """));

        CreditLedgerProblem.ReservationNotOpen p = assertInstanceOf(CreditLedgerProblem.ReservationNotOpen.class, problem);
        assertEquals(409, p.status());
        assertEquals(17L, p.reservation().getReservationId());
        assertEquals(ReservationStatus.SETTLED, p.reservation().getStatus());
        assertEquals(3120L, p.reservation().getChargedTokens());
        assertEquals(Optional.empty(), p.retryAfter());
    }

    @Test
    void validationNamesTheFields() {
        CreditLedgerProblem problem = Problems.from(answer(400, """
                {"type":"urn:credit-ledger:problem:validation","title":"Request is not valid","status":400,
                 "detail":"tokens: must be greater than 0","errors":[{"field":"tokens","message":"must be greater than 0"}]}
                """));

        CreditLedgerProblem.Validation p = assertInstanceOf(CreditLedgerProblem.Validation.class, problem);
        assertEquals(Problems.VALIDATION, p.type());
        assertEquals(1, p.errors().size());
        assertEquals("tokens", p.errors().get(0).getField());
        assertEquals("must be greater than 0", p.errors().get(0).getMessage());
    }

    @Test
    void tooManyReservationsAndRateLimitedAreTheirOwn429s() {
        CreditLedgerProblem tooMany = Problems.from(answer(429, """
                {"type":"urn:credit-ledger:problem:too-many-reservations","title":"Too many open reservations",
                 "status":429,"openReservations":100,"maxOpenReservations":100}
                """, "Retry-After", "12"));
        CreditLedgerProblem limited = Problems.from(answer(429, """
                {"type":"urn:credit-ledger:problem:rate-limited","title":"Too many requests","status":429}
                """, "Retry-After", "1"));

        CreditLedgerProblem.TooManyReservations t = assertInstanceOf(CreditLedgerProblem.TooManyReservations.class, tooMany);
        assertEquals(100, t.openReservations());
        assertEquals(100, t.maxOpenReservations());
        assertEquals(Optional.of(Duration.ofSeconds(12)), t.retryAfter());
        CreditLedgerProblem.RateLimited r = assertInstanceOf(CreditLedgerProblem.RateLimited.class, limited);
        assertEquals(Problems.RATE_LIMITED, r.type());
        assertEquals(Optional.of(Duration.ofSeconds(1)), r.retryAfter());
    }

    @Test
    void otherTypesKeepTheirFieldsAndBody() {
        CreditLedgerProblem problem = Problems.from(answer(404, """
                {"type":"urn:credit-ledger:problem:promo-code-not-found","title":"Promo code not found",
                 "status":404,"detail":"No promo code 'X'","code":"X"}
                """));

        CreditLedgerProblem.Other p = assertInstanceOf(CreditLedgerProblem.Other.class, problem);
        assertEquals("urn:credit-ledger:problem:promo-code-not-found", p.type());
        assertEquals(404, p.status());
        assertEquals("No promo code 'X'", p.detail());
        assertEquals(Optional.empty(), p.retryAfter());
        assertEquals("X", p.body().get("code").asText());
    }

    @Test
    void anAnswerWithoutAProblemBodyIsAboutBlankWithTheHttpStatus() {
        CreditLedgerProblem problem = Problems.from(new ApiException(413, "too large",
                HttpHeaders.of(Map.of(), (k, v) -> true), ""));
        CreditLedgerProblem html = Problems.from(answer(502, "<html>Bad gateway</html>"));

        assertEquals(Problems.ABOUT_BLANK, problem.type());
        assertEquals(413, problem.status());
        assertNull(problem.title());
        assertEquals(Problems.ABOUT_BLANK, html.type());
        assertEquals(502, html.status());
    }

    @Test
    void aKnownTypeWithUnreadableFieldsIsStillAProblem() {
        CreditLedgerProblem problem = Problems.from(answer(429, """
                {"type":"urn:credit-ledger:problem:insufficient-credits","status":429,"requiredTokens":"lots"}
                """));

        assertInstanceOf(CreditLedgerProblem.Other.class, problem);
        assertEquals(Problems.INSUFFICIENT_CREDITS, problem.type());
    }

    @Test
    void noHttpAnswerIsNotAProblem() {
        ApiException connectionRefused = new ApiException(new java.net.ConnectException("refused"));
        assertThrows(IllegalArgumentException.class, () -> Problems.from(connectionRefused));
    }

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

        assertEquals(Optional.of(Duration.ofSeconds(120)), Problems.parseRetryAfter(" 120 ", clock));
        assertEquals(Optional.of(Duration.ofMinutes(90)), Problems.parseRetryAfter("Tue, 01 Dec 2026 11:30:00 GMT", clock));
        assertEquals(Optional.of(Duration.ZERO), Problems.parseRetryAfter("Tue, 01 Dec 2026 09:00:00 GMT", clock));
        assertTrue(Problems.parseRetryAfter("soon", clock).isEmpty());
        assertTrue(Problems.parseRetryAfter("-5", clock).isEmpty());
    }
}
