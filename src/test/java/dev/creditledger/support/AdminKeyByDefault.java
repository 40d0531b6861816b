package dev.creditledger.support;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import java.util.List;

/**
 * Every test request carries the suite's bootstrap admin key ({@code %test.credits.bootstrap-admin-key})
 * unless it sends an Authorization header of its own. A test that needs no header at all calls
 * {@link #withoutKey()}; the default comes back before the next test. Every answer is held against the
 * OpenAPI document ({@link ContractCheck}). Quarkus runs this callback for {@code @QuarkusTest}s only; a
 * {@code @QuarkusIntegrationTest} calls {@link #install()} before each test.
 */
public class AdminKeyByDefault implements QuarkusTestBeforeEachCallback {

    public static final String ADMIN_KEY = "test-admin-key-0123456789abcdef-0123456789abcdef";

    private static final Filter ADMIN = (request, response, context) -> {
        if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", "Bearer " + ADMIN_KEY);
        }
        return context.next(request, response);
    };

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        install();
    }

    public static void install() {
        RestAssured.replaceFiltersWith(List.of(ADMIN, ContractCheck.INSTANCE));
    }

    public static void withoutKey() {
        RestAssured.replaceFiltersWith(List.of(ContractCheck.INSTANCE));
    }
}
