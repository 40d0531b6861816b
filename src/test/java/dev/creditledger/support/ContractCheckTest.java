package dev.creditledger.support;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ContractCheck} finds what breaks the document, and passes what keeps it. */
@QuarkusTest
class ContractCheckTest {

    private static final String ACCOUNT = """
            {"userId":"u1","credits":5,"availableTokens":10000,"balanceTokens":10000,"heldTokens":0,"openReservations":0,
             "totalTokensUsed":0,"monthlyTokensUsed":0,"periodStart":"2026-11-24T10:00:00Z","monthlyResetDate":"2026-12-24T10:00:00Z",
             "isSubscribed":false,"subscriptionTier":"free","subscriptionEndsAt":null,"createdAt":"2026-11-24T10:00:00Z",
             "updatedAt":"2026-11-24T10:00:00Z","grants":[]}""";

    private static List<String> check(String method, String path, int status, String type, String body) {
        given().get("/v1/plans").then().statusCode(200); // the document is read from the running service
        return ContractCheck.INSTANCE.check(method, path, status, type, body);
    }

    @Test
    void aConformingAnswerPasses() {
        assertEquals(List.of(), check("GET", "/v1/accounts/u1", 200, "application/json", ACCOUNT));
    }

    @Test
    void aMissingFieldAWrongTypeAndABadTimestampFail() {
        assertTrue(check("GET", "/v1/accounts/u1", 200, "application/json", ACCOUNT.replace("\"openReservations\":0,", ""))
                .toString().contains("openReservations"));
        assertTrue(check("GET", "/v1/accounts/u1", 200, "application/json", ACCOUNT.replace("\"credits\":5", "\"credits\":\"5\""))
                .toString().contains("credits"));
        assertTrue(check("GET", "/v1/accounts/u1", 200, "application/json", ACCOUNT.replace("\"periodStart\":\"2026-11-24T10:00:00Z\"",
                "\"periodStart\":\"yesterday\"")).toString().contains("periodStart"));
        assertTrue(check("GET", "/v1/accounts/u1", 200, "application/json", ACCOUNT.replace("\"userId\":\"u1\"", "\"userId\":null"))
                .toString().contains("userId"));
    }

    @Test
    void anUndocumentedStatusOrMediaTypeFails() {
        assertTrue(check("GET", "/v1/accounts/u1", 409, "application/problem+json", "{}").toString().contains("not documented"));
        assertTrue(check("GET", "/v1/accounts/u1", 200, "text/plain", "hi").toString().contains("not documented"));
    }

    @Test
    void aProblemMustBeOneTheResponseNamesWithItsFields() {
        String notFound = """
                {"type":"urn:credit-ledger:problem:account-not-found","title":"Account not found","status":404,
                 "detail":"No account for user id 'u1'","instance":"/v1/accounts/u1"}""";
        assertEquals(List.of(), check("GET", "/v1/accounts/u1", 404, "application/problem+json", notFound));
        assertTrue(!check("GET", "/v1/accounts/u1", 404, "application/problem+json",
                notFound.replace("account-not-found", "key-not-found")).isEmpty(), "a problem type the response does not list");
        assertTrue(!check("GET", "/v1/accounts/u1", 404, "application/problem+json",
                notFound.replace("\"status\":404", "\"status\":400")).isEmpty(), "a status other than the type's");
        String insufficient = """
                {"type":"urn:credit-ledger:problem:insufficient-credits","title":"Insufficient credits","status":429,
                 "detail":"d","instance":"/v1/accounts/u1/consume","error":"Insufficient credits","remainingCredits":0,
                 "maxTokens":0,"requiredTokens":2000,"requiredCredits":1,"monthlyResetDate":"2026-12-24T04:12:00Z"}""";
        assertEquals(List.of(), check("POST", "/v1/accounts/u1/consume", 429, "application/problem+json", insufficient));
        assertTrue(!check("POST", "/v1/accounts/u1/consume", 429, "application/problem+json",
                insufficient.replace("\"requiredTokens\":2000,", "")).isEmpty(), "the seed's fields are required");
    }

    @Test
    void pathsOutsideTheDocumentAreNotChecked() {
        assertEquals(List.of(), check("GET", "/q/health", 200, "application/json", "{}"));
        assertEquals(List.of(), check("PATCH", "/v1/accounts/u1", 405, "application/problem+json", "{}"));
    }
}
