package dev.creditledger.support;

import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that go through the service: the database reader, the test clock (set to the
 * class's {@link ClockStart} before every test), and the invariants of docs/design.md checked over
 * every account after every test.
 */
public abstract class LedgerTest {

    @Inject
    protected Ledger ledger;
    @Inject
    protected TestClock clock;

    /** Runs before the subclass's own {@code @BeforeEach} methods (JUnit runs a superclass's first). */
    @BeforeEach
    void clockAtTheClassStart() {
        clock.set(clockStart(getClass()));
    }

    @AfterEach
    void ledgerInvariantsHoldForEveryAccount() {
        ledger.assertInvariants();
    }

    /** The instant the class's tests start from. */
    public static String clockStart(Class<?> testClass) {
        ClockStart start = testClass.getAnnotation(ClockStart.class);
        return start == null ? ClockStart.DEFAULT : start.value();
    }
}
