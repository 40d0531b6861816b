package dev.creditledger.support;

import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the tests that go through the service: the database reader, the test clock, and the
 * invariants of DESIGN.md checked over every account after every test.
 */
public abstract class LedgerTest {

    @Inject
    protected Ledger ledger;
    @Inject
    protected TestClock clock;

    @AfterEach
    void ledgerInvariantsHoldForEveryAccount() {
        ledger.assertInvariants();
    }
}
