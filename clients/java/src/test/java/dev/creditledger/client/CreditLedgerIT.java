package dev.creditledger.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.creditledger.client.invoker.ApiException;
import dev.creditledger.client.invoker.ApiResponse;
import dev.creditledger.client.model.Account;
import dev.creditledger.client.model.ConsumeRequest;
import dev.creditledger.client.model.ConsumeResponse;
import dev.creditledger.client.model.CreateKeyRequest;
import dev.creditledger.client.model.CreatedApiKey;
import dev.creditledger.client.model.EntryKind;
import dev.creditledger.client.model.Grant;
import dev.creditledger.client.model.GrantRequest;
import dev.creditledger.client.model.GrantSource;
import dev.creditledger.client.model.LedgerEntry;
import dev.creditledger.client.model.LedgerPage;
import dev.creditledger.client.model.OpenAccountRequest;
import dev.creditledger.client.model.ReservationAnswer;
import dev.creditledger.client.model.ReservationRequest;
import dev.creditledger.client.model.ReservationStatus;
import dev.creditledger.client.model.Scope;
import dev.creditledger.client.model.SettleRequest;
import dev.creditledger.client.model.SubscriptionRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The client against the real service (see ServiceUnderTest). Every test uses accounts of its own. */
class CreditLedgerIT {

    private static CreditLedgerClient client;

    @BeforeAll
    static void connect() {
        client = ServiceUnderTest.adminClient();
    }

    // ---- Generated calls the scenarios share (path parameters in path order, ids and limits typed) ----

    private static ReservationAnswer settle(String userId, long reservationId, SettleRequest body, String idempotencyKey)
            throws ApiException {
        return client.reservations().settleReservation(userId, reservationId, idempotencyKey, body);
    }

    private static ReservationAnswer release(String userId, long reservationId) throws ApiException {
        return client.reservations().releaseReservation(userId, reservationId, null);
    }

    private static void revokeKey(long keyId) throws ApiException {
        client.keys().revokeKey(keyId);
    }

    private static LedgerPage ledgerPage(String userId, String cursor, int limit) throws ApiException {
        return client.ledger().listLedger(userId, cursor, limit);
    }

    // ---------------------------------------------------------------------------------------------

    private static String newUserId(TestInfo test) {
        return "java-it-" + test.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Account signUp(String userId) throws ApiException {
        return client.accounts().openAccount(userId, null, null);
    }

    private static ConsumeResponse consumeCodeGeneration(String userId, String idempotencyKey) throws ApiException {
        return client.consumption().consume(userId, new ConsumeRequest().feature("code_generation"), idempotencyKey);
    }

    private static void assertAmount(String expected, BigDecimal actual) {
        assertNotNull(actual, "amount");
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected " + expected + " but was " + actual);
    }

    private static void assertNear(Instant expected, Instant actual, Duration tolerance) {
        assertNotNull(actual);
        Duration off = Duration.between(expected, actual).abs();
        assertTrue(off.compareTo(tolerance) <= 0, () -> actual + " is " + off + " from " + expected);
    }

    @Test
    void signUpOpensAFreeAccountOnce(TestInfo test) throws ApiException {
        String userId = newUserId(test);

        ApiResponse<Account> created = client.accounts().openAccountWithHttpInfo(userId, null, null);
        ApiResponse<Account> again = client.accounts().openAccountWithHttpInfo(userId, null, new OpenAccountRequest());

        assertEquals(201, created.getStatusCode());
        assertEquals(200, again.getStatusCode());
        Account account = created.getData();
        assertEquals(userId, account.getUserId());
        assertEquals("free", account.getSubscriptionTier());
        assertFalse(account.getIsSubscribed());
        assertAmount("5", account.getCredits());
        assertEquals(10_000L, account.getAvailableTokens());
        assertEquals(0L, account.getHeldTokens());
        assertNull(account.getSubscriptionEndsAt());
        assertEquals(1, account.getGrants().size());
        assertEquals(GrantSource.ALLOWANCE, account.getGrants().get(0).getSource());
        assertEquals(account.getMonthlyResetDate().toInstant(), again.getData().getMonthlyResetDate().toInstant());
        assertEquals(account.getAvailableTokens(), client.accounts().getAccount(userId).getAvailableTokens());
    }

    @Test
    void consumeUntilInsufficientCreditsThenReadTheProblem(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        Account account = signUp(userId);

        int paid = 0;
        ApiException refusal = null;
        for (int i = 0; i < 10 && refusal == null; i++) {
            try {
                ConsumeResponse answer = consumeCodeGeneration(userId, null);
                paid++;
                assertTrue(answer.getSuccess());
                assertEquals(10_000L - 2_000L * paid, answer.getCreditInfo().getTokensRemaining());
            } catch (ApiException e) {
                refusal = e;
            }
        }
        Instant refusedAt = Instant.now();

        assertEquals(5, paid, "a free account pays 5 code generations");
        assertNotNull(refusal, "the sixth consume must be refused");
        assertEquals(429, refusal.getCode());
        CreditLedgerProblem.InsufficientCredits problem =
                assertInstanceOf(CreditLedgerProblem.InsufficientCredits.class, Problems.from(refusal));
        assertEquals(Problems.INSUFFICIENT_CREDITS, problem.type());
        assertEquals(429, problem.status());
        assertNotNull(problem.title());
        assertAmount("0", problem.remainingCredits());
        assertEquals(0L, problem.maxTokens());
        assertEquals(2_000L, problem.requiredTokens());
        assertAmount("1", problem.requiredCredits());
        assertEquals(account.getMonthlyResetDate().toInstant(), problem.monthlyResetDate().toInstant());
        // The reset refills 5 credits, which covers the cost: Retry-After is the time until then.
        Duration retryAfter = problem.retryAfter().orElseThrow(() -> new AssertionError("no Retry-After"));
        Duration untilReset = Duration.between(refusedAt, account.getMonthlyResetDate().toInstant());
        assertTrue(retryAfter.minus(untilReset).abs().compareTo(Duration.ofMinutes(2)) <= 0,
                () -> "Retry-After " + retryAfter + " but the reset is in " + untilReset);
        assertEquals(0L, client.accounts().getAccount(userId).getAvailableTokens(), "the refusal changed nothing");
    }

    @Test
    void upgradeToProIssuesTheProAllowance(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        signUp(userId);
        consumeCodeGeneration(userId, null);

        Account pro = client.subscriptions().changeSubscription(userId, new SubscriptionRequest().tier("pro").days(30), null);
        Instant upgradedAt = Instant.now();

        assertEquals("pro", pro.getSubscriptionTier());
        assertTrue(pro.getIsSubscribed());
        assertAmount("100", pro.getCredits());
        assertEquals(200_000L, pro.getAvailableTokens());
        assertNear(upgradedAt.plus(Duration.ofDays(30)), pro.getSubscriptionEndsAt().toInstant(), Duration.ofMinutes(2));
        assertEquals(200_000L - 2_000L, consumeCodeGeneration(userId, null).getCreditInfo().getTokensRemaining());
    }

    @Test
    void grantBonusCredits(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        signUp(userId);
        OffsetDateTime expiresAt = OffsetDateTime.now(ZoneOffset.UTC).plusDays(60).withNano(0);

        Grant grant = client.grants().grantCredits(userId,
                new GrantRequest().credits(new BigDecimal("10")).reason("Launch week bonus").expiresAt(expiresAt), null);

        assertNotNull(grant.getGrantId());
        assertEquals(GrantSource.BONUS, grant.getSource());
        assertAmount("10", grant.getCredits());
        assertEquals(20_000L, grant.getAmountTokens());
        assertEquals(20_000L, grant.getRemainingTokens());
        assertEquals(100, grant.getPriority());
        assertEquals("Launch week bonus", grant.getReason());
        assertEquals(expiresAt.toInstant(), grant.getExpiresAt().toInstant());
        Account account = client.accounts().getAccount(userId);
        assertAmount("15", account.getCredits());
        assertEquals(30_000L, account.getAvailableTokens());
        assertTrue(account.getGrants().stream().anyMatch(g -> grant.getGrantId().equals(g.getGrantId())));
    }

    @Test
    void holdThenSettleAReservation(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        signUp(userId);

        ReservationAnswer held = client.reservations().createReservation(userId,
                new ReservationRequest().feature("llm_call").tokens(4_000L).ttlSeconds(300L), "hold-" + UUID.randomUUID());

        long reservationId = held.getReservation().getReservationId();
        assertEquals(ReservationStatus.OPEN, held.getReservation().getStatus());
        assertEquals(4_000L, held.getReservation().getHeldTokens());
        assertEquals(6_000L, held.getAvailableTokens());
        assertEquals(4_000L, held.getHeldTokens());
        Account during = client.accounts().getAccount(userId);
        assertEquals(10_000L, during.getBalanceTokens());
        assertEquals(4_000L, during.getHeldTokens());
        assertEquals(1, during.getOpenReservations());

        ReservationAnswer settled = settle(userId, reservationId, new SettleRequest().tokens(3_120L), null);

        assertEquals(reservationId, settled.getReservation().getReservationId());
        assertEquals(ReservationStatus.SETTLED, settled.getReservation().getStatus());
        assertEquals(3_120L, settled.getReservation().getReportedTokens());
        assertEquals(3_120L, settled.getReservation().getChargedTokens());
        assertEquals(0L, settled.getReservation().getUncoveredTokens());
        assertEquals(0L, settled.getReservation().getHeldTokens());
        assertNotNull(settled.getReservation().getResolvedAt());
        assertEquals(10_000L - 3_120L, settled.getAvailableTokens());
        assertEquals(0L, settled.getHeldTokens());
        Account after = client.accounts().getAccount(userId);
        assertEquals(6_880L, after.getBalanceTokens());
        assertEquals(0L, after.getHeldTokens());
        assertEquals(0, after.getOpenReservations());

        // Resolved exactly once: a second settle, or a release, is 409 with the reservation as it stands.
        for (ApiException e : List.of(
                assertThrows(ApiException.class, () -> settle(userId, reservationId, new SettleRequest().tokens(1L), null)),
                assertThrows(ApiException.class, () -> release(userId, reservationId)))) {
            assertEquals(409, e.getCode());
            CreditLedgerProblem.ReservationNotOpen notOpen =
                    assertInstanceOf(CreditLedgerProblem.ReservationNotOpen.class, Problems.from(e));
            assertEquals(Problems.RESERVATION_NOT_OPEN, notOpen.type());
            assertEquals(ReservationStatus.SETTLED, notOpen.reservation().getStatus());
            assertEquals(3_120L, notOpen.reservation().getChargedTokens());
        }
        assertEquals(6_880L, client.accounts().getAccount(userId).getBalanceTokens());
    }

    @Test
    void holdsBeyondTheOpenReservationCapAreTooManyReservations(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        signUp(userId);
        ReservationRequest oneToken = new ReservationRequest().feature("llm_call").tokens(1L).ttlSeconds(600L);
        Instant firstHeldAt = Instant.now();
        for (int i = 0; i < 100; i++) {   // credits.reservations.max-open-per-account, default 100
            client.reservations().createReservation(userId, oneToken, null);
        }
        Instant refusedAt = Instant.now();

        ApiException refusal = assertThrows(ApiException.class,
                () -> client.reservations().createReservation(userId, oneToken, null));

        assertEquals(429, refusal.getCode());
        CreditLedgerProblem.TooManyReservations problem =
                assertInstanceOf(CreditLedgerProblem.TooManyReservations.class, Problems.from(refusal));
        assertEquals(100, problem.openReservations());
        assertEquals(100, problem.maxOpenReservations());
        Duration retryAfter = problem.retryAfter().orElseThrow(() -> new AssertionError("no Retry-After"));
        // Until the first hold expires: 600 s after it was made, less the time since (and a second of rounding).
        Duration untilFirstExpires = Duration.ofSeconds(600).minus(Duration.between(firstHeldAt, refusedAt));
        assertTrue(retryAfter.compareTo(Duration.ofSeconds(600)) <= 0
                        && retryAfter.compareTo(untilFirstExpires.minusSeconds(2)) >= 0,
                () -> "Retry-After " + retryAfter + " but the first hold expires in about " + untilFirstExpires);
        assertEquals(100, client.accounts().getAccount(userId).getOpenReservations());
    }

    @Test
    void aKeyOverItsRateLimitIsRateLimited() throws ApiException {
        CreatedApiKey created = client.keys().createKey(new CreateKeyRequest()
                .name("java-it rate limit " + UUID.randomUUID()).scopes(Set.of(Scope.READ)).rateLimit(1));
        CreditLedgerClient limited = CreditLedgerClient.create(ServiceUnderTest.url(), created.getKey());
        try {
            ApiException refusal = null;
            for (int i = 0; i < 20 && refusal == null; i++) {
                try {
                    limited.plans().listPlans();
                } catch (ApiException e) {
                    refusal = e;
                }
            }

            assertNotNull(refusal, "a key limited to 1 request per second is refused within 20 quick requests");
            assertEquals(429, refusal.getCode());
            CreditLedgerProblem.RateLimited problem =
                    assertInstanceOf(CreditLedgerProblem.RateLimited.class, Problems.from(refusal));
            assertEquals(Problems.RATE_LIMITED, problem.type());
            Duration retryAfter = problem.retryAfter().orElseThrow(() -> new AssertionError("no Retry-After"));
            assertTrue(!retryAfter.isNegative() && retryAfter.compareTo(Duration.ofSeconds(2)) <= 0, retryAfter::toString);
        } finally {
            revokeKey(created.getKeyId());
        }
    }

    @Test
    void pageThroughTheLedger(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        signUp(userId);
        client.grants().grantCredits(userId, new GrantRequest().credits(new BigDecimal("10")), null);
        Set<Long> consumeEntryIds = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            String key = "ledger-" + i + "-" + UUID.randomUUID();
            keys.add(key);
            consumeEntryIds.add(consumeCodeGeneration(userId, key).getEntryId());
        }
        int expected = 2 + 7;   // the allowance and the bonus grant, then seven consumes

        List<LedgerEntry> entries = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            LedgerPage page = ledgerPage(userId, cursor, 2);
            pages++;
            assertTrue(page.getEntries().size() <= 2, "a page holds at most limit entries");
            assertFalse(page.getEntries().isEmpty(), "no empty page before the end");
            entries.addAll(page.getEntries());
            cursor = page.getNextCursor();
            assertTrue(pages <= expected, "the cursor must come to an end");
        } while (cursor != null);

        assertEquals(expected, entries.size());
        assertEquals(5, pages);
        List<Long> ids = entries.stream().map(LedgerEntry::getEntryId).toList();
        assertEquals(expected, new HashSet<>(ids).size(), "every entry exactly once: " + ids);
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i - 1) > ids.get(i), "newest first: " + ids);
        }
        assertEquals(consumeEntryIds, entries.stream().filter(e -> e.getKind() == EntryKind.CONSUME)
                .map(LedgerEntry::getEntryId).collect(Collectors.toSet()));
        assertEquals(keys, entries.stream().filter(e -> e.getKind() == EntryKind.CONSUME)
                .map(LedgerEntry::getIdempotencyKey).collect(Collectors.toSet()));
        assertEquals(2, entries.stream().filter(e -> e.getKind() == EntryKind.GRANT).count());
        // The running balance, oldest first, adds up to the account's balance.
        long balance = 0;
        for (int i = entries.size() - 1; i >= 0; i--) {
            balance += entries.get(i).getAmountTokens();
            assertEquals(balance, entries.get(i).getBalanceAfterTokens(), "balanceAfterTokens of " + ids.get(i));
        }
        assertEquals(30_000L - 14_000L, balance);
        assertEquals(balance, client.accounts().getAccount(userId).getBalanceTokens());
        // One big page is the same list.
        LedgerPage all = ledgerPage(userId, null, 200);
        assertEquals(ids, all.getEntries().stream().map(LedgerEntry::getEntryId).toList());
        assertNull(all.getNextCursor());
    }

    @Test
    void aConsumeReplayedWithTheSameIdempotencyKeyAnswersTheSameAndChargesOnce(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        signUp(userId);
        String key = "req-" + UUID.randomUUID();
        ConsumeRequest request = new ConsumeRequest().feature("llm_call").tokens(3_500L);

        ApiResponse<ConsumeResponse> first = client.consumption().consumeWithHttpInfo(userId, request, key);
        ApiResponse<ConsumeResponse> replay = client.consumption().consumeWithHttpInfo(userId, request, key);

        assertEquals(200, first.getStatusCode());
        assertFalse(CreditLedgerClient.isReplay(first));
        assertEquals(200, replay.getStatusCode());
        assertTrue(CreditLedgerClient.isReplay(replay), "Idempotent-Replayed: true on the replay");
        assertEquals(first.getData(), replay.getData());
        assertEquals(3_500L, first.getData().getCreditInfo().getTokensUsed());
        assertEquals(10_000L - 3_500L, client.accounts().getAccount(userId).getAvailableTokens(), "charged once");
        assertEquals(1, ledgerPage(userId, null, 200).getEntries().stream()
                .filter(e -> key.equals(e.getIdempotencyKey())).count());

        // The same key with another request is refused and changes nothing.
        ApiException reused = assertThrows(ApiException.class, () -> client.consumption()
                .consume(userId, new ConsumeRequest().feature("llm_call").tokens(1L), key));
        assertEquals(422, reused.getCode());
        assertEquals(Problems.IDEMPOTENCY_KEY_REUSED, Problems.from(reused).type());
        assertEquals(10_000L - 3_500L, client.accounts().getAccount(userId).getAvailableTokens());
    }

    @Test
    void aWrongKeyIsUnauthorizedAndAnUnknownAccountNotFound(TestInfo test) {
        String userId = newUserId(test);
        CreditLedgerClient stranger = CreditLedgerClient.create(ServiceUnderTest.url(), "cl_" + "x".repeat(43));

        ApiException unauthorized = assertThrows(ApiException.class, () -> stranger.accounts().getAccount(userId));
        ApiException missing = assertThrows(ApiException.class, () -> client.accounts().getAccount(userId));

        assertEquals(401, unauthorized.getCode());
        CreditLedgerProblem problem = Problems.from(unauthorized);
        assertEquals(Problems.UNAUTHORIZED, problem.type());
        assertEquals(401, problem.status());
        assertTrue(unauthorized.getResponseHeaders().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertEquals(404, missing.getCode());
        assertEquals(Problems.ACCOUNT_NOT_FOUND, Problems.from(missing).type());
    }

    @Test
    void nonAsciiTextRoundTrips(TestInfo test) throws ApiException {
        String userId = newUserId(test);
        signUp(userId);
        String reason = "Bonus f\u00fcr J\u00f6rg \u2013 \u2713 \u65e5\u672c";

        Grant grant = client.grants().grantCredits(userId, new GrantRequest().credits(BigDecimal.ONE).reason(reason), null);

        assertEquals(reason, grant.getReason());
        assertEquals(reason, ledgerPage(userId, null, 1).getEntries().get(0).getReason());
    }

    @Test
    void userIdsWithEveryAllowedCharacterReachTheirAccount(TestInfo test) throws ApiException {
        String userId = "a.b_c:d@e-" + UUID.randomUUID().toString().substring(0, 8);

        Account account = signUp(userId);

        assertEquals(userId, account.getUserId());
        assertEquals(userId, client.accounts().getAccount(userId).getUserId());
        if (!client.consumption().consume(userId, new ConsumeRequest().feature("code_review"), null).getSuccess()) {
            fail("consume on " + userId);
        }
    }
}
