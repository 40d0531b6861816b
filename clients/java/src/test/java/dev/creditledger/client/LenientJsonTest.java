package dev.creditledger.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.creditledger.client.model.Account;
import dev.creditledger.client.model.EntryKind;
import dev.creditledger.client.model.LedgerEntry;
import dev.creditledger.client.model.LedgerPage;
import dev.creditledger.client.model.ReservationStatus;
import dev.creditledger.client.model.Reservation;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A newer service may add fields and enum values: this client must still read its answers. No service needed. */
class LenientJsonTest {

    private static final String ACCOUNT_WITH_EXTRA_FIELDS = """
            {"userId":"user_123","credits":5,"availableTokens":10000,"balanceTokens":10000,"heldTokens":0,
             "openReservations":0,"totalTokensUsed":0,"monthlyTokensUsed":0,
             "periodStart":"2026-11-24T10:00:00Z","monthlyResetDate":"2026-12-24T10:00:00Z",
             "isSubscribed":false,"subscriptionTier":"free","subscriptionEndsAt":null,
             "createdAt":"2026-11-24T10:00:00Z","updatedAt":"2026-11-24T10:00:00Z",
             "loyaltyLevel":{"name":"gold","since":"2026-01-01"},"rolloverTokens":1234,
             "grants":[{"grantId":1,"source":"allowance","credits":5,"amountTokens":10000,"remainingCredits":5,
                        "remainingTokens":10000,"priority":100,"effectiveAt":"2026-11-24T10:00:00Z",
                        "expiresAt":"2026-12-24T10:00:00Z","reason":"free allowance","campaign":"x"}]}
            """;

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        Account account = CreditLedgerClient.newObjectMapper().readValue(ACCOUNT_WITH_EXTRA_FIELDS, Account.class);

        assertEquals("user_123", account.getUserId());
        assertEquals(new BigDecimal("5"), account.getCredits());
        assertEquals(10000L, account.getAvailableTokens());
        assertEquals(OffsetDateTime.parse("2026-12-24T10:00:00Z").toInstant(), account.getMonthlyResetDate().toInstant());
        assertNull(account.getSubscriptionEndsAt());
        assertEquals(1, account.getGrants().size());
        assertEquals(10000L, account.getGrants().get(0).getRemainingTokens());
    }

    /** Chosen: the generator's enumUnknownDefaultCase, so an unknown value reads as UNKNOWN_DEFAULT_OPEN_API. */
    @Test
    void unknownEnumValuesReadAsUnknownDefault() throws Exception {
        ObjectMapper mapper = CreditLedgerClient.newObjectMapper();

        LedgerEntry entry = mapper.readValue("""
                {"entryId":9,"kind":"rollover","amountTokens":500,"createdAt":"2026-11-24T10:00:00Z"}
                """, LedgerEntry.class);
        Reservation reservation = mapper.readValue("""
                {"reservationId":3,"status":"paused","heldTokens":10}
                """, Reservation.class);
        LedgerEntry known = mapper.readValue("{\"entryId\":1,\"kind\":\"settle\"}", LedgerEntry.class);

        assertEquals(EntryKind.UNKNOWN_DEFAULT_OPEN_API, entry.getKind());
        assertEquals(500L, entry.getAmountTokens());
        assertEquals(ReservationStatus.UNKNOWN_DEFAULT_OPEN_API, reservation.getStatus());
        assertEquals(10L, reservation.getHeldTokens());
        assertEquals(EntryKind.SETTLE, known.getKind());
    }

    /** Through the generated API class over HTTP (a stub server): the bearer header is sent, the answer read leniently. */
    @Test
    void theGeneratedApiSendsTheBearerTokenAndReadsLeniently() throws Exception {
        AtomicReference<String> authorization = new AtomicReference<>();
        AtomicReference<String> path = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            path.set(exchange.getRequestURI().getRawPath());
            byte[] body = """
                    {"entries":[{"entryId":2,"kind":"rollover","futureField":true}],"nextCursor":null,"total":1}
                    """.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            CreditLedgerClient client = CreditLedgerClient.create(base, "cl_test-key");

            LedgerPage page = client.ledger().listLedger("user_1", null, null);

            assertEquals("Bearer cl_test-key", authorization.get());
            assertEquals("/v1/accounts/user_1/ledger", path.get());
            assertEquals(1, page.getEntries().size());
            assertEquals(EntryKind.UNKNOWN_DEFAULT_OPEN_API, page.getEntries().get(0).getKind());
            assertNull(page.getNextCursor());
        } finally {
            server.stop(0);
        }
    }
}
