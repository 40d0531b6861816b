package dev.creditledger;

import static dev.creditledger.support.Api.json;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.blankOrNullString;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.creditledger.support.ClockStart;
import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input always gets a clear error and changes nothing: a 400 {@code application/problem+json}
 * with a stable type, a detail and, where a field is at fault, an {@code errors} entry naming the
 * field as the client spelled it; never a 500; and the account's stored state is the same after.
 */
@QuarkusTest
@ClockStart("2026-08-15T10:00:00Z")
class BadInputTest extends LedgerTest {

    static final String PROBLEM_JSON = "application/problem+json";
    static final String VALIDATION = "urn:credit-ledger:problem:validation";
    static final String MALFORMED_JSON = "urn:credit-ledger:problem:malformed-json";
    static final String UNKNOWN_FEATURE = "urn:credit-ledger:problem:unknown-feature";
    static final String UNKNOWN_TIER = "urn:credit-ledger:problem:unknown-tier";
    static final String ACCOUNT_NOT_FOUND = "urn:credit-ledger:problem:account-not-found";
    static final String NOT_FOUND = "urn:credit-ledger:problem:not-found";
    static final String UNSUPPORTED_MEDIA_TYPE = "urn:credit-ledger:problem:unsupported-media-type";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** An existing free account, fresh for every test (and every parameterized invocation). */
    String user;

    @BeforeEach
    void openAccount() {
        user = newUserId("bad");
        openFree(user);
    }

    // ---- consume: tokens -------------------------------------------------------------------

    @ParameterizedTest(name = "tokens {0}")
    @ValueSource(strings = {"-1", "0", "-9223372036854775808", "1.5", "0.5", "2.0", "1e30", "1E3", "99999999999999999999",
            "1000000000001", "9223372036854775807", "\"12\"", "\"abc\"", "\"\"", "true", "false", "[]", "[5]", "{}",
            "{\"value\":5}"})
    void meteredConsumeRefusesTokensThatAreNotAPositiveWholeNumberWithinTheLimit(String tokens) {
        refused(() -> consume("{\"feature\":\"llm_call\",\"tokens\":" + tokens + "}"), 400, VALIDATION, "tokens");
    }

    @ParameterizedTest(name = "tokens {0}")
    @ValueSource(strings = {"-1", "0", "1.5", "1e30", "1000000000001", "\"12\"", "true", "[]", "{}"})
    void fixedFeatureStillRefusesInvalidReportedTokens(String tokens) {
        refused(() -> consume("{\"feature\":\"code_generation\",\"tokens\":" + tokens + "}"), 400, VALIDATION, "tokens");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"feature\":\"llm_call\"}", "{\"feature\":\"llm_call\",\"tokens\":null}"})
    void meteredFeatureWithoutTokensIsRefusedNamingTokens(String body) {
        refused(() -> consume(body), 400, VALIDATION, "tokens");
    }

    @Test
    void fixedFeatureAcceptsNullOrMissingTokens() {
        consume("{\"feature\":\"code_generation\",\"tokens\":null}").statusCode(200).body("success", equalTo(true));
        consume("{\"feature\":\"code_review\"}").statusCode(200).body("creditInfo.tokensUsed", equalTo(2000));
    }

    @Test
    void tokensAtTheMaximumPassValidationAndAreRefusedOnlyForLackOfCredits() {
        refused(() -> consume("{\"feature\":\"llm_call\",\"tokens\":1000000000000}"), 429,
                "urn:credit-ledger:problem:insufficient-credits", null);
    }

    // ---- consume: feature ------------------------------------------------------------------

    @ParameterizedTest(name = "feature {0}")
    @ValueSource(strings = {"translate", "Code_Generation", "code_generation ", "llm-call"})
    void unknownFeatureIsRefusedAsUnknownFeatureNamingFeature(String feature) {
        refused(() -> consume("{\"feature\":\"" + feature + "\"}"), 400, UNKNOWN_FEATURE, "feature");
    }

    static Stream<String> invalidFeatureBodies() {
        return Stream.of("{}", "{\"tokens\":5}", "{\"feature\":null}", "{\"feature\":\"\"}", "{\"feature\":5}",
                "{\"feature\":1.5}", "{\"feature\":true}", "{\"feature\":[\"code_generation\"]}", "{\"feature\":{}}",
                "{\"feature\":\"" + "x".repeat(65) + "\"}", "{\"feature\":\"" + "x".repeat(1000) + "\"}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFeatureBodies")
    void missingEmptyWrongTypedOrOverlongFeatureIsRefusedNamingFeature(String body) {
        refused(() -> consume(body), 400, VALIDATION, "feature");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cost", "userId", "credits", "Feature"})
    void unknownFieldInConsumeIsRefusedNamingIt(String field) {
        refused(() -> consume("{\"feature\":\"code_generation\",\"" + field + "\":0}"), 400, VALIDATION, field);
    }

    @Test
    void duplicatedFieldIsRefusedNamingItInsteadOfLastOneWinning() {
        refused(() -> consume("{\"feature\":\"code_generation\",\"feature\":\"code_review\"}"), 400, VALIDATION, "feature");
        refused(() -> consume("{\"feature\":\"llm_call\",\"tokens\":1,\"tokens\":5}"), 400, VALIDATION, "tokens");
    }

    // ---- grants ----------------------------------------------------------------------------

    @ParameterizedTest(name = "credits {0}")
    @ValueSource(strings = {"-1", "0", "0.0", "-0.0005", "0.0001", "0.00049", "1.00001", "1e30", "99999999999999999999999",
            "500000001", "1e2147483647", "1e-2147483647", "1e-101", "\"10\"", "\"\"", "true", "[]", "[10]", "{}", "null"})
    void grantRefusesCreditsThatAreNotAPositiveWholeNumberOfTokensWithinTheLimit(String credits) {
        refused(() -> grant("{\"credits\":" + credits + "}"), 400, VALIDATION, "credits");
    }

    /** A misspelt "Credits" is an unknown field, named as sent; it is refused before the missing credits are. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"{}|credits", "{\"reason\":\"bonus\"}|credits", "{\"Credits\":10}|Credits"})
    void grantWithoutCreditsIsRefusedNamingCredits(String body, String field) {
        refused(() -> grant(body), 400, VALIDATION, null).body("errors.field", equalTo(List.of(field)));
    }

    @Test
    void grantExpiringNowOrInThePastIsRefusedNamingExpiresAt() {
        for (String at : List.of(clock.instant().minus(Duration.ofDays(1)).toString(), clock.instant().minusSeconds(1).toString(),
                clock.instant().toString(), "2000-01-01T00:00:00Z", "0001-01-01T00:00:00Z")) {
            refused(() -> grant("{\"credits\":1,\"expiresAt\":\"" + at + "\"}"), 400, VALIDATION, "expiresAt");
        }
    }

    @ParameterizedTest(name = "expiresAt {0}")
    @ValueSource(strings = {"\"tomorrow\"", "\"2027-13-01T00:00:00Z\"", "\"2027-02-30T00:00:00Z\"", "\"2027-01-01\"",
            "\"2027-01-01 00:00:00\"", "\"\"", "\" \"", "\"+999999999-12-31T23:59:59Z\"", "\"+10000-01-01T00:00:00Z\"", "1900000000",
            "1900000000.5", "true", "{}", "[2027,1,1]"})
    void grantRefusesAnExpiresAtThatIsNotAStorableIsoDateTime(String expiresAt) {
        refused(() -> grant("{\"credits\":1,\"expiresAt\":" + expiresAt + "}"), 400, VALIDATION, "expiresAt");
    }

    @ParameterizedTest(name = "priority {0}")
    @ValueSource(strings = {"-1", "1001", "1.5", "\"5\"", "true", "99999999999"})
    void grantRefusesPriorityOutside0To1000OrNotAWholeNumber(String priority) {
        refused(() -> grant("{\"credits\":1,\"priority\":" + priority + "}"), 400, VALIDATION, "priority");
    }

    @ParameterizedTest(name = "source {0}")
    @ValueSource(strings = {"\"allowance\"", "\"gift\"", "\"\"", "\"BONUS\"", "1", "0", "true", "[\"bonus\"]"})
    void grantRefusesTheAllowanceSourceAndUnknownSources(String source) {
        refused(() -> grant("{\"credits\":1,\"source\":" + source + "}"), 400, VALIDATION, "source");
    }

    static Stream<String> invalidReasons() {
        return Stream.of("\"" + "r".repeat(501) + "\"", "5", "true", "[\"why\"]");
    }

    @ParameterizedTest(name = "reason {0}")
    @MethodSource("invalidReasons")
    void grantRefusesAnOverlongOrNonTextReason(String reason) {
        refused(() -> grant("{\"credits\":1,\"reason\":" + reason + "}"), 400, VALIDATION, "reason");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"amountTokens", "remainingTokens", "grantId", "consumed"})
    void grantRefusesFieldsTheServiceComputesItself(String field) {
        refused(() -> grant("{\"credits\":1,\"" + field + "\":1}"), 400, VALIDATION, field);
    }

    // ---- subscription ----------------------------------------------------------------------

    @ParameterizedTest(name = "tier {0}")
    @ValueSource(strings = {"platinum", "PRO", "Free", "pro "})
    void subscriptionToAnUnknownTierIsRefusedAsUnknownTierNamingTier(String tier) {
        refused(() -> subscribe("{\"tier\":\"" + tier + "\",\"days\":30}"), 400, UNKNOWN_TIER, "tier");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{}", "{\"days\":30}", "{\"tier\":null}", "{\"tier\":\"\"}", "{\"tier\":5}", "{\"tier\":true}",
            "{\"tier\":[\"pro\"]}"})
    void subscriptionWithoutAUsableTierIsRefusedNamingTier(String body) {
        refused(() -> subscribe(body), 400, VALIDATION, "tier");
    }

    @ParameterizedTest(name = "days {0}")
    @ValueSource(strings = {"0", "-1", "1.5", "36501", "100000", "2147483648", "\"30\"", "true", "[30]"})
    void subscriptionRefusesDaysOutside1To36500OrNotAWholeNumber(String days) {
        refused(() -> subscribe("{\"tier\":\"pro\",\"days\":" + days + "}"), 400, VALIDATION, "days");
    }

    @Test
    void subscriptionWithBothDaysAndEndsAtIsRefusedNamingDays() {
        refused(() -> subscribe("{\"tier\":\"pro\",\"days\":30,\"endsAt\":\"2030-01-01T00:00:00Z\"}"), 400, VALIDATION, "days");
    }

    @Test
    void freeTierHasNoSubscriptionEndSoDaysOrEndsAtAreRefused() {
        refused(() -> subscribe("{\"tier\":\"free\",\"days\":30}"), 400, VALIDATION, "days");
        refused(() -> subscribe("{\"tier\":\"free\",\"endsAt\":\"2030-01-01T00:00:00Z\"}"), 400, VALIDATION, "endsAt");
    }

    @ParameterizedTest(name = "endsAt {0}")
    @ValueSource(strings = {"\"soon\"", "\"2030-01-01\"", "\"\"", "1900000000", "\"+999999999-12-31T23:59:59Z\"",
            "\"-999999999-01-01T00:00:00Z\""})
    void subscriptionRefusesAnEndsAtThatIsNotAStorableIsoDateTime(String endsAt) {
        refused(() -> subscribe("{\"tier\":\"pro\",\"endsAt\":" + endsAt + "}"), 400, VALIDATION, "endsAt");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"credits", "isSubscribed", "subscriptionTier"})
    void subscriptionRefusesUnknownFields(String field) {
        refused(() -> subscribe("{\"tier\":\"pro\",\"" + field + "\":true}"), 400, VALIDATION, field);
    }

    @ParameterizedTest(name = "atPeriodEnd={0}")
    @ValueSource(strings = {"yes", "1", "TRUE", "on"})
    void cancelRefusesAnAtPeriodEndThatIsNotTrueOrFalse(String value) {
        subscribe("{\"tier\":\"pro\",\"days\":30}").statusCode(200);
        refused(() -> given().queryParam("atPeriodEnd", value).delete("/v1/accounts/{id}/subscription", user).then(),
                400, VALIDATION, "atPeriodEnd");
    }

    // ---- account PUT -----------------------------------------------------------------------

    static Stream<Arguments> badOpenBodies() {
        return Stream.of(
                Arguments.of("{\"tier\":\"platinum\"}", UNKNOWN_TIER, "tier"),
                Arguments.of("{\"tier\":\"platinum\",\"subscriptionDays\":30}", UNKNOWN_TIER, "tier"),
                Arguments.of("{\"tier\":\"\"}", VALIDATION, "tier"),
                Arguments.of("{\"tier\":7}", VALIDATION, "tier"),
                Arguments.of("{\"subscriptionDays\":30}", VALIDATION, "subscriptionDays"),
                Arguments.of("{\"tier\":\"free\",\"subscriptionDays\":30}", VALIDATION, "subscriptionDays"),
                Arguments.of("{\"tier\":\"free\",\"subscriptionEndsAt\":\"2030-01-01T00:00:00Z\"}", VALIDATION, "subscriptionEndsAt"),
                Arguments.of("{\"tier\":\"pro\",\"subscriptionDays\":0}", VALIDATION, "subscriptionDays"),
                Arguments.of("{\"tier\":\"pro\",\"subscriptionDays\":36501}", VALIDATION, "subscriptionDays"),
                Arguments.of("{\"tier\":\"pro\",\"subscriptionDays\":\"30\"}", VALIDATION, "subscriptionDays"),
                Arguments.of("{\"tier\":\"pro\",\"subscriptionDays\":30,\"subscriptionEndsAt\":\"2030-01-01T00:00:00Z\"}",
                        VALIDATION, "subscriptionDays"),
                Arguments.of("{\"tier\":\"pro\",\"subscriptionEndsAt\":\"never\"}", VALIDATION, "subscriptionEndsAt"),
                Arguments.of("{\"tier\":\"pro\",\"subscriptionEndsAt\":\"+999999999-12-31T23:59:59Z\"}", VALIDATION,
                        "subscriptionEndsAt"),
                // mass assignment: a client cannot set what the ledger computes
                Arguments.of("{\"balance\":100}", VALIDATION, "balance"),
                Arguments.of("{\"credits\":100}", VALIDATION, "credits"),
                Arguments.of("{\"tier\":\"pro\",\"credits\":1000}", VALIDATION, "credits"),
                Arguments.of("{\"availableTokens\":1000000}", VALIDATION, "availableTokens"),
                Arguments.of("{\"grants\":[{\"credits\":100}]}", VALIDATION, "grants"),
                Arguments.of("{\"isSubscribed\":true}", VALIDATION, "isSubscribed"),
                Arguments.of("{\"userId\":\"someone-else\"}", VALIDATION, "userId"),
                Arguments.of("{\"tier\":\"pro\",\"tier\":\"free\"}", VALIDATION, "tier"),
                Arguments.of("{", MALFORMED_JSON, null),
                Arguments.of("[]", MALFORMED_JSON, null),
                Arguments.of("\"pro\"", MALFORMED_JSON, null),
                Arguments.of("{\"tier\":\"pro\"} x", MALFORMED_JSON, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOpenBodies")
    void badSignUpBodyForANewUserIsRefusedAndCreatesNoAccount(String body, String type, String field) {
        String fresh = newUserId("bad-new");
        problem(json().body(body).put("/v1/accounts/{id}", fresh).then(), 400, type, field);
        assertAccountDoesNotExist(fresh);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOpenBodies")
    void badSignUpBodyForAnExistingUserIsRefusedAndChangesNothing(String body, String type, String field) {
        refused(() -> json().body(body).put("/v1/accounts/{id}", user).then(), 400, type, field);
    }

    // ---- malformed bodies and content types ------------------------------------------------

    static Stream<String> malformedBodies() {
        return Stream.of("{", "}", "{\"feature\":}", "{\"feature\":\"code_generation\",}", "{'feature':'code_generation'}",
                "{feature:\"code_generation\"}", "{\"feature\":\"code_generation\"", "{\"feature\":\"code_generation\"} x",
                "{\"feature\":\"code_generation\"}{\"feature\":\"code_generation\"}", "[]", "[{\"feature\":\"code_generation\"}]",
                "\"x\"", "42", "true", "{\"feature\":\"llm_call\",\"tokens\":NaN}", "{\"feature\":\"llm_call\",\"tokens\":01}",
                "{\"feature\":\"code_generation\"\u0000}", "\u00ff\u00fe");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void malformedOrWrongShapedJsonIsRefusedAsMalformedJson(String body) {
        refused(() -> consume(body), 400, MALFORMED_JSON, null);
    }

    /** A body each write endpoint accepts, and how to send a body there. */
    static Stream<Arguments> writeEndpoints() {
        return Stream.of(
                Arguments.of("consume", "{\"feature\":\"code_generation\"}"),
                Arguments.of("grants", "{\"credits\":1}"),
                Arguments.of("subscription", "{\"tier\":\"pro\",\"days\":30}"),
                Arguments.of("account", "{\"tier\":\"pro\",\"subscriptionDays\":30}"),
                Arguments.of("reservations", "{\"feature\":\"llm_call\",\"tokens\":100}"),
                Arguments.of("settle", "{\"tokens\":100}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writeEndpoints")
    void everyWriteEndpointRefusesTruncatedTrailingOrWrongShapedJson(String endpoint, String validBody) {
        for (String body : List.of(validBody.substring(0, validBody.length() - 1), validBody + " x", validBody + validBody,
                "[" + validBody + "]", "\"" + endpoint + "\"")) {
            refused(() -> send(endpoint, json().body(body)), 400, MALFORMED_JSON, null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writeEndpoints")
    void everyWriteEndpointAnswersAWrongContentTypeWith415Problem(String endpoint, String validBody) {
        for (String contentType : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded")) {
            refused(() -> send(endpoint, given().contentType(contentType).body(validBody)), 415, UNSUPPORTED_MEDIA_TYPE, null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consume", "grants", "subscription", "reservations"})
    void emptyOrNullBodyIsRefusedNamingTheBody(String endpoint) {
        refused(() -> send(endpoint, json()), 400, VALIDATION, "body");
        refused(() -> send(endpoint, json().body("")), 400, VALIDATION, "body");
        refused(() -> send(endpoint, json().body("null")), 400, VALIDATION, "body");
    }

    // ---- user ids --------------------------------------------------------------------------

    /** Every per-account endpoint, with a body it would accept, for a raw (already encoded) user id. */
    static List<Function<String, ValidatableResponse>> perAccountCalls() {
        return List.of(
                id -> raw().put("/v1/accounts/" + id).then(),
                id -> raw().get("/v1/accounts/" + id).then(),
                id -> raw().contentType("application/json").body("{\"feature\":\"code_generation\"}").post("/v1/accounts/" + id + "/consume").then(),
                id -> raw().contentType("application/json").body("{\"credits\":1}").post("/v1/accounts/" + id + "/grants").then(),
                id -> raw().contentType("application/json").body("{\"tier\":\"pro\"}").put("/v1/accounts/" + id + "/subscription").then(),
                id -> raw().delete("/v1/accounts/" + id + "/subscription").then(),
                id -> raw().get("/v1/accounts/" + id + "/ledger").then(),
                id -> raw().contentType("application/json").body("{\"feature\":\"code_generation\"}")
                        .post("/v1/accounts/" + id + "/reservations").then(),
                id -> raw().get("/v1/accounts/" + id + "/reservations").then(),
                id -> raw().get("/v1/accounts/" + id + "/reservations/1").then(),
                id -> raw().contentType("application/json").body("{\"tokens\":1}").post("/v1/accounts/" + id + "/reservations/1/settle").then(),
                id -> raw().post("/v1/accounts/" + id + "/reservations/1/release").then());
    }

    static Stream<String> badUserIds() {
        return Stream.of("a".repeat(129), "%20", "%20%20", "a%20b", "a%2Fb", "%C3%BC", "user%C3%BC", "a%3Bb", "a%09b", "a%22b",
                "a%3Cb%3E", "a%2Bb", "a%25b", "a%26b", "a%3Fb", "a%23b", "a%5Cb", "a%00b", "%E2%80%8B");
    }

    @ParameterizedTest(name = "userId {0}")
    @MethodSource("badUserIds")
    void everyPerAccountEndpointRefusesAnIllFormedUserIdNamingUserId(String rawId) {
        for (Function<String, ValidatableResponse> call : perAccountCalls()) {
            problem(call.apply(rawId), 400, VALIDATION, "userId");
        }
    }

    @Test
    void longestValidUserIdIsAccepted() {
        String longest = "u".repeat(100) + newUserId("").substring(1) + "._:@-" + "x".repeat(10);
        assertEquals(128, longest.length());
        openFree(longest);
        given().get("/v1/accounts/{id}", longest).then().statusCode(200).body("userId", equalTo(longest));
    }

    /** Every per-account endpoint as method, path after the user id and body, sent over a raw socket so no client normalizes the path. */
    static final List<String[]> RAW_PER_ACCOUNT_CALLS = List.of(
            new String[] {"PUT", "", ""},
            new String[] {"GET", "", ""},
            new String[] {"POST", "/consume", "{\"feature\":\"code_generation\"}"},
            new String[] {"POST", "/grants", "{\"credits\":1}"},
            new String[] {"PUT", "/subscription", "{\"tier\":\"pro\"}"},
            new String[] {"DELETE", "/subscription", ""},
            new String[] {"GET", "/ledger", ""},
            new String[] {"POST", "/reservations", "{\"feature\":\"code_generation\"}"},
            new String[] {"GET", "/reservations", ""},
            new String[] {"GET", "/reservations/1", ""},
            new String[] {"POST", "/reservations/1/settle", "{\"tokens\":1}"},
            new String[] {"POST", "/reservations/1/release", ""});

    static RawResponse sendRaw(String[] call, String rawId) throws IOException {
        String contentType = call[2].isEmpty() ? "" : "Content-Type: application/json\r\n";
        return RawResponse.send(call[0], "/v1/accounts/" + rawId + call[1], contentType, call[2]);
    }

    @ParameterizedTest(name = "path {0}")
    @ValueSource(strings = {"nobody/../%s", "nobody/%%2E%%2E/%s", "nobody/./../%s", "%s/./", "%s//x", "nobody/..;x=1/%s"})
    void dotSegmentsAfterTheUserIdCannotReachAnotherAccount(String template) throws IOException {
        String victim = newUserId("victim");
        openFree(victim);
        String before = ledger.snapshot(victim);
        for (String[] call : RAW_PER_ACCOUNT_CALLS) {
            RawResponse response = sendRaw(call, String.format(template, victim));
            assertEquals(400, response.status(), call[0] + " " + template + " -> " + response.body());
            assertTrue(response.body().contains("\"field\":\"userId\""), response.body());
        }
        assertEquals(before, ledger.snapshot(victim), "the victim's account is untouched");
    }

    @ParameterizedTest(name = "userId {0}")
    @ValueSource(strings = {"..", "%2E%2E", "%2e%2E"})
    void dotDotUserIdIsRefusedNamingUserIdAndNeverReachesAResource(String rawId) throws IOException {
        for (String[] call : RAW_PER_ACCOUNT_CALLS) {
            sendRaw(call, rawId).assertRefusedUserId(call);
        }
    }

    @ParameterizedTest(name = "userId {0}")
    @ValueSource(strings = {".", "%2E", ""})
    void dotOrEmptyUserIdIsRefusedInsteadOfReachingAnotherAccount(String rawId) throws IOException {
        List<String> misrouted = new ArrayList<>();
        for (String[] call : RAW_PER_ACCOUNT_CALLS) {
            RawResponse response = sendRaw(call, rawId);
            try {
                response.assertRefusedUserId(call);
            } catch (AssertionError e) {
                misrouted.add(call[0] + " /v1/accounts/" + rawId + call[1] + " -> " + response.status() + " " + response.body());
            }
        }
        for (String id : List.of("subscription", "ledger", "consume", "grants", "reservations")) {
            if (ledger.count("select count(*) from account where account_id = ?", id) > 0) {
                misrouted.add("account '" + id + "' was created");
            }
        }
        assertEquals(List.of(), misrouted, "requests for user id '" + rawId + "' reached another resource or account");
    }

    @Test
    void semicolonInUserIdIsRefusedNotTreatedAsAMatrixParameterOfAnotherAccount() {
        String before = ledger.snapshot(user);
        for (Function<String, ValidatableResponse> call : perAccountCalls()) {
            problem(call.apply(user + ";x"), 400, VALIDATION, "userId");
        }
        assertEquals(before, ledger.snapshot(user), "a request for '" + user + ";x' changed account " + user);
        String fresh = newUserId("bad-semi");
        problem(raw().put("/v1/accounts/" + fresh + ";tier=pro").then(), 400, VALIDATION, "userId");
        assertAccountDoesNotExist(fresh);
    }

    // ---- Idempotency-Key -------------------------------------------------------------------

    static Stream<String> badKeys() {
        return Stream.of("k".repeat(256), "k".repeat(1000), "schl\u00fcssel", "caf\u00e9", "\u00a0key");
    }

    @ParameterizedTest(name = "key {0}")
    @MethodSource("badKeys")
    void everyWriteRefusesAnIllFormedIdempotencyKeyNamingTheHeader(String key) {
        for (String endpoint : List.of("consume", "grants", "subscription", "cancel", "account", "reservations", "settle", "release")) {
            String body = switch (endpoint) {
                case "consume", "reservations" -> "{\"feature\":\"code_generation\"}";
                case "settle" -> "{\"tokens\":1}";
                case "grants" -> "{\"credits\":1}";
                case "subscription" -> "{\"tier\":\"pro\",\"days\":30}";
                default -> null;
            };
            RequestSpecification spec = (body == null ? given() : json().body(body)).header(IDEMPOTENCY_KEY, key);
            refused(() -> send(endpoint, spec), 400, VALIDATION, IDEMPOTENCY_KEY);
        }
        String fresh = newUserId("bad-key");
        problem(given().header(IDEMPOTENCY_KEY, key).put("/v1/accounts/{id}", fresh).then(), 400, VALIDATION, IDEMPOTENCY_KEY);
        assertAccountDoesNotExist(fresh);
    }

    @Test
    void nonAsciiUtf8IdempotencyKeyIsRefusedNamingTheHeader() throws IOException {
        // rest-assured would squeeze "ключ" into Latin-1 ("????", a valid key), so the UTF-8 bytes go over a raw socket.
        String body = "{\"feature\":\"code_generation\"}";
        String before = ledger.snapshot(user);
        RawResponse consume = RawResponse.send("POST", "/v1/accounts/" + user + "/consume",
                "Content-Type: application/json\r\nIdempotency-Key: \u043a\u043b\u044e\u0447\r\n", body);
        consume.assertProblem(400, VALIDATION, IDEMPOTENCY_KEY);
        RawResponse grant = RawResponse.send("POST", "/v1/accounts/" + user + "/grants",
                "Content-Type: application/json\r\nIdempotency-Key: \u5bc6\u94a5-1\r\n", "{\"credits\":1}");
        grant.assertProblem(400, VALIDATION, IDEMPOTENCY_KEY);
        assertEquals(before, ledger.snapshot(user), "a refused request changed the account");
        String fresh = newUserId("bad-key");
        RawResponse.send("PUT", "/v1/accounts/" + fresh, "Idempotency-Key: \u043a\u043b\u044e\u0447\r\n", "")
                .assertProblem(400, VALIDATION, IDEMPOTENCY_KEY);
        assertAccountDoesNotExist(fresh);
    }

    @Test
    void idempotencyKeyOf255PrintableCharactersIsAccepted() {
        String key = "k-" + "~ !".repeat(84) + "z";
        assertEquals(255, key.length());
        consume(json().header(IDEMPOTENCY_KEY, key), "{\"feature\":\"code_generation\"}").statusCode(200);
        consume(json().header(IDEMPOTENCY_KEY, key), "{\"feature\":\"code_generation\"}").statusCode(200)
                .header("Idempotent-Replayed", "true");
    }

    @ParameterizedTest(name = "key \"{0}\"")
    @ValueSource(strings = {"", "   "})
    void emptyOrBlankIdempotencyKeyIsRefusedNamingTheHeader(String key) throws IOException {
        String before = ledger.snapshot(user);
        RawResponse.send("POST", "/v1/accounts/" + user + "/consume",
                "Content-Type: application/json\r\nIdempotency-Key:" + key + "\r\n", "{\"feature\":\"code_generation\"}")
                .assertProblem(400, VALIDATION, IDEMPOTENCY_KEY);
        assertEquals(before, ledger.snapshot(user), "a refused request changed the account");
    }

    @Test
    void refusedRequestLeavesItsIdempotencyKeyUnused() {
        String past = clock.instant().minus(Duration.ofDays(1)).toString();
        refused(() -> json().header(IDEMPOTENCY_KEY, "grant-1").body("{\"credits\":1,\"expiresAt\":\"" + past + "\"}")
                .post("/v1/accounts/{id}/grants", user).then(), 400, VALIDATION, "expiresAt");
        json().header(IDEMPOTENCY_KEY, "grant-1").body("{\"credits\":1}").post("/v1/accounts/{id}/grants", user).then()
                .statusCode(201).header("Idempotent-Replayed", nullValue());

        refused(() -> consume(json().header(IDEMPOTENCY_KEY, "consume-1"), "{\"feature\":\"translate\"}"), 400, UNKNOWN_FEATURE,
                "feature");
        consume(json().header(IDEMPOTENCY_KEY, "consume-1"), "{\"feature\":\"code_generation\"}").statusCode(200)
                .header("Idempotent-Replayed", nullValue());

        refused(() -> json().header(IDEMPOTENCY_KEY, "sub-1").body("{\"tier\":\"free\",\"days\":30}")
                .put("/v1/accounts/{id}/subscription", user).then(), 400, VALIDATION, "days");
        json().header(IDEMPOTENCY_KEY, "sub-1").body("{\"tier\":\"pro\",\"days\":30}").put("/v1/accounts/{id}/subscription", user)
                .then().statusCode(200).header("Idempotent-Replayed", nullValue()).body("subscriptionTier", equalTo("pro"));

        String fresh = newUserId("bad-new");
        problem(json().header(IDEMPOTENCY_KEY, "open-1").body("{\"tier\":\"free\",\"subscriptionDays\":30}")
                .put("/v1/accounts/{id}", fresh).then(), 400, VALIDATION, "subscriptionDays");
        assertAccountDoesNotExist(fresh);
        json().header(IDEMPOTENCY_KEY, "open-1").body("{\"tier\":\"pro\",\"subscriptionDays\":30}").put("/v1/accounts/{id}", fresh)
                .then().statusCode(201).header("Idempotent-Replayed", nullValue()).body("subscriptionTier", equalTo("pro"));
    }

    // ---- ledger query ----------------------------------------------------------------------

    /** The user's ledger as the backend reads it, and as the user's own frontend does. */
    List<RequestSpecification> ledgerReaders() {
        return List.of(raw().basePath("/v1/accounts/" + user), raw().basePath("/v1/me").header("Authorization", "Bearer " + Tokens.forUser(user)));
    }

    @ParameterizedTest(name = "limit={0}")
    @ValueSource(strings = {"0", "201", "-1", "abc", "1.5", "1e2", "99999999999", "0x10", "%201"})
    void ledgerRefusesALimitOutside1To200NamingLimit(String limit) {
        for (RequestSpecification reader : ledgerReaders()) {
            refused(() -> reader.get("/ledger?limit=" + limit).then(), 400, VALIDATION, "limit");
        }
    }

    @ParameterizedTest(name = "cursor={0}")
    @ValueSource(strings = {"garbage", "%21%21%21", "ZTow", "ZTotMQ", "ZTphYmM", "eDo1", "ZTo5OTk5OTk5OTk5OTk5OTk5OTk5OQ",
            "ZTo%3D", "e%3A5", "%E2%9C%93"})
    void ledgerRefusesACursorItDidNotMakeNamingCursor(String cursor) {
        for (RequestSpecification reader : ledgerReaders()) {
            refused(() -> reader.get("/ledger?cursor=" + cursor).then(), 400, VALIDATION, "cursor");
        }
    }

    @Test
    void ledgerAcceptsTheBoundaryLimits() {
        given().queryParam("limit", 1).get("/v1/accounts/{id}/ledger", user).then().statusCode(200);
        given().queryParam("limit", 200).get("/v1/accounts/{id}/ledger", user).then().statusCode(200);
    }

    // ---- unknown account -------------------------------------------------------------------

    @Test
    void everyPerAccountEndpointExceptSignUpAnswers404ForAnUnknownAccount() {
        String nobody = newUserId("nobody");
        List<Supplier<ValidatableResponse>> calls = List.of(
                () -> given().get("/v1/accounts/{id}", nobody).then(),
                () -> json().body("{\"feature\":\"code_generation\"}").post("/v1/accounts/{id}/consume", nobody).then(),
                () -> json().body("{\"feature\":\"llm_call\",\"tokens\":1}").post("/v1/accounts/{id}/consume", nobody).then(),
                () -> json().body("{\"credits\":1}").post("/v1/accounts/{id}/grants", nobody).then(),
                () -> json().body("{\"tier\":\"pro\",\"days\":30}").put("/v1/accounts/{id}/subscription", nobody).then(),
                () -> json().body("{\"tier\":\"free\"}").put("/v1/accounts/{id}/subscription", nobody).then(),
                () -> given().delete("/v1/accounts/{id}/subscription", nobody).then(),
                () -> given().queryParam("atPeriodEnd", "true").delete("/v1/accounts/{id}/subscription", nobody).then(),
                () -> given().get("/v1/accounts/{id}/ledger", nobody).then(),
                () -> given().queryParam("limit", 5).get("/v1/accounts/{id}/ledger", nobody).then(),
                () -> json().body("{\"feature\":\"llm_call\",\"tokens\":1}").post("/v1/accounts/{id}/reservations", nobody).then(),
                () -> json().body("{\"tokens\":1}").post("/v1/accounts/{id}/reservations/1/settle", nobody).then(),
                () -> given().post("/v1/accounts/{id}/reservations/1/release", nobody).then(),
                () -> given().get("/v1/accounts/{id}/reservations/1", nobody).then(),
                () -> given().get("/v1/accounts/{id}/reservations", nobody).then(),
                () -> json().header(IDEMPOTENCY_KEY, "k5").body("{\"feature\":\"code_generation\"}")
                        .post("/v1/accounts/{id}/reservations", nobody).then(),
                // with an Idempotency-Key: nothing is remembered for an account that does not exist
                () -> json().header(IDEMPOTENCY_KEY, "k1").body("{\"feature\":\"code_generation\"}")
                        .post("/v1/accounts/{id}/consume", nobody).then(),
                () -> json().header(IDEMPOTENCY_KEY, "k2").body("{\"credits\":1}").post("/v1/accounts/{id}/grants", nobody).then(),
                () -> json().header(IDEMPOTENCY_KEY, "k3").body("{\"tier\":\"pro\"}").put("/v1/accounts/{id}/subscription", nobody)
                        .then(),
                () -> given().header(IDEMPOTENCY_KEY, "k4").delete("/v1/accounts/{id}/subscription", nobody).then());
        for (Supplier<ValidatableResponse> call : calls) {
            problem(call.get(), 404, ACCOUNT_NOT_FOUND, null).body("detail", startsWith("No account for user id"));
        }
        assertAccountDoesNotExist(nobody);
        assertEquals("[]\n[]\n[]\n[]\n[]", ledger.snapshot(nobody), "nothing was stored for an unknown account");
    }

    /**
     * A method the path does not serve is 405 where the path has a resource; GET on the POST-only
     * consume path is 404, as is a path with no resource at all.
     */
    @Test
    void unsupportedMethodsAndUnknownPathsAnswerAProblemNotA500() {
        String methodNotAllowed = "urn:credit-ledger:problem:method-not-allowed";
        problem(given().delete("/v1/accounts/{id}", user).then(), 405, methodNotAllowed, null);
        problem(json().body("{}").patch("/v1/accounts/{id}", user).then(), 405, methodNotAllowed, null);
        problem(given().get("/v1/accounts/{id}/consume", user).then(), 404, NOT_FOUND, null);
        problem(given().get("/v1/accounts/{id}/nothing-here", user).then(), 404, NOT_FOUND, null);
        problem(given().get("/v1/accounts").then(), 404, NOT_FOUND, null);
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Sends a refused request and proves it answered the expected problem and left the account as it was. */
    ValidatableResponse refused(Supplier<ValidatableResponse> call, int status, String type, String field) {
        String before = ledger.snapshot(user);
        ValidatableResponse response = problem(call.get(), status, type, field);
        assertEquals(before, ledger.snapshot(user), "a refused request changed the account");
        return response;
    }

    static ValidatableResponse problem(ValidatableResponse response, int status, String type, String field) {
        response.statusCode(status)
                .contentType(PROBLEM_JSON)
                .body("type", equalTo(type))
                .body("status", equalTo(status))
                .body("detail", not(blankOrNullString()))
                // a clear error speaks the client's terms: no Java types, no parser internals
                .body("detail", not(anyOf(containsString("dev.creditledger"), containsString("java."), containsString("[Source:"))));
        if (field != null) {
            response.body("errors.field", hasItem(field));
        }
        return response;
    }

    void assertAccountDoesNotExist(String userId) {
        assertEquals(0, ledger.count("select count(*) from account where account_id = ?", userId), "account " + userId + " exists");
        if (userId.matches("[A-Za-z0-9._:@-]{1,128}")) {
            given().get("/v1/accounts/{id}", userId).then().statusCode(404).contentType(PROBLEM_JSON)
                    .body("type", equalTo(ACCOUNT_NOT_FOUND));
        }
    }

    static RequestSpecification raw() {
        return given().urlEncodingEnabled(false);
    }

    ValidatableResponse consume(String body) {
        return consume(json(), body);
    }

    ValidatableResponse consume(RequestSpecification spec, String body) {
        return spec.body(body).post("/v1/accounts/{id}/consume", user).then();
    }

    ValidatableResponse grant(String body) {
        return json().body(body).post("/v1/accounts/{id}/grants", user).then();
    }

    ValidatableResponse subscribe(String body) {
        return json().body(body).put("/v1/accounts/{id}/subscription", user).then();
    }

    /** One write on the test's account through {@code spec}: consume, grants, subscription, cancel, account, reservations, settle or release. */
    ValidatableResponse send(String endpoint, RequestSpecification spec) {
        return switch (endpoint) {
            case "consume" -> spec.post("/v1/accounts/{id}/consume", user).then();
            case "grants" -> spec.post("/v1/accounts/{id}/grants", user).then();
            case "subscription" -> spec.put("/v1/accounts/{id}/subscription", user).then();
            case "cancel" -> spec.delete("/v1/accounts/{id}/subscription", user).then();
            case "account" -> spec.put("/v1/accounts/{id}", user).then();
            case "reservations" -> spec.post("/v1/accounts/{id}/reservations", user).then();
            // Reservation 1 of this account need not exist: each refusal these tests send comes before the lookup.
            case "settle" -> spec.post("/v1/accounts/{id}/reservations/1/settle", user).then();
            case "release" -> spec.post("/v1/accounts/{id}/reservations/1/release", user).then();
            default -> throw new IllegalArgumentException(endpoint);
        };
    }

    /** An HTTP/1.1 exchange over a plain socket, for header bytes no HTTP client library would send. */
    record RawResponse(int status, String contentType, String body) {

        static RawResponse send(String method, String path, String headers, String body) throws IOException {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("localhost", RestAssured.port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Bearer " + dev.creditledger.support.AdminKeyByDefault.ADMIN_KEY + "\r\n" + headers + "Content-Length: " + content.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                out.write(content);
                out.flush();
                return parse(socket.getInputStream());
            }
        }

        private static RawResponse parse(InputStream in) throws IOException {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            String[] lines = all.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String contentType = null;
            boolean chunked = false;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(line.indexOf(':') + 1).trim();
                }
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            String body = all.substring(end + 4);
            return new RawResponse(status, contentType, chunked ? dechunk(body) : body);
        }

        private static String dechunk(String chunked) {
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = chunked.indexOf("\r\n", at);
                int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
                if (size == 0) {
                    return out.toString();
                }
                // chunk sizes count bytes; the problem bodies here are ASCII
                out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
        }

        /** 400 naming userId: the raw path reaches the user id check, never a resource's answer. */
        void assertRefusedUserId(String[] call) {
            assertEquals(400, status, call[0] + " " + call[1] + ": " + status + " " + body);
            assertProblem(400, VALIDATION, "userId");
        }

        void assertProblem(int expectedStatus, String type, String field) {
            assertEquals(expectedStatus, status, "status; body: " + body);
            assertTrue(contentType != null && contentType.startsWith(PROBLEM_JSON), "content type " + contentType);
            JsonPath json = JsonPath.from(body);
            assertEquals(type, json.getString("type"));
            assertTrue(json.getString("detail") != null && !json.getString("detail").isBlank(), "detail");
            if (field != null) {
                List<String> fields = new ArrayList<>(json.getList("errors.field", String.class));
                assertTrue(fields.contains(field), "errors name " + field + ": " + fields);
            }
        }
    }
}
