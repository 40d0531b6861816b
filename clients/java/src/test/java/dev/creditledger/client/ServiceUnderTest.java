package dev.creditledger.client;

import java.net.URI;

/**
 * The running service the *IT tests talk to: CREDIT_LEDGER_URL and CREDIT_LEDGER_ADMIN_KEY, as
 * environment variables or as the system properties credit-ledger.url and credit-ledger.admin-key
 * (the pom passes them on). clients/with-service.sh sets both. Missing either fails every IT.
 */
final class ServiceUnderTest {

    private ServiceUnderTest() {
    }

    static URI url() {
        return URI.create(required("credit-ledger.url", "CREDIT_LEDGER_URL"));
    }

    static String adminKey() {
        return required("credit-ledger.admin-key", "CREDIT_LEDGER_ADMIN_KEY");
    }

    static CreditLedgerClient adminClient() {
        return CreditLedgerClient.create(url(), adminKey());
    }

    private static String required(String property, String variable) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {   // "${env.X}" when Maven had no X
            value = System.getenv(variable);
        }
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set (nor -D" + property + "): the integration tests need a"
                    + " running credit-ledger. Run them with clients/with-service.sh, e.g. from the repository root:"
                    + " clients/with-service.sh ./mvnw -B -f clients/java/pom.xml verify");
        }
        return value.trim();
    }
}
