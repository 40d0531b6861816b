package dev.creditledger.client;

import dev.creditledger.client.invoker.ApiException;
import dev.creditledger.client.model.Account;
import dev.creditledger.client.model.ConsumeRequest;
import dev.creditledger.client.model.ConsumeResponse;
import java.net.URI;

/** The example in README.md, compiled and run by ReadmeExampleIT: keep the two the same. */
final class ReadmeExample {

    private ReadmeExample() {
    }

    /** Signs a user up and pays for code generations until the credits run out; answers what the refusal said. */
    static String run(URI baseUrl, String apiKey, String userId) throws ApiException {
        // README:begin
        CreditLedgerClient client = CreditLedgerClient.create(baseUrl, apiKey);   // e.g. http://localhost:8080

        Account account = client.accounts().openAccount(userId, null, null);   // sign-up; no body: the default tier
        System.out.println(account.getCredits() + " credits, " + account.getAvailableTokens() + " tokens");

        while (true) {
            try {
                ConsumeResponse paid = client.consumption()
                        .consume(userId, new ConsumeRequest().feature("code_generation"), null /* Idempotency-Key */);
                System.out.println("paid; " + paid.getCreditInfo().getCreditsRemaining() + " credits left");
            } catch (ApiException e) {
                if (Problems.from(e) instanceof CreditLedgerProblem.InsufficientCredits p) {
                    return "out of credits: " + p.remainingCredits() + " left, " + p.requiredTokens()
                            + " tokens needed, refill at " + p.monthlyResetDate()
                            + p.retryAfter().map(d -> ", retry in " + d.toHours() + " h").orElse("");
                }
                throw e;   // any other problem: Problems.from(e).type() says which
            }
        }
        // README:end
    }
}
