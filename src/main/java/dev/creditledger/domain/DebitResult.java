package dev.creditledger.domain;

/** What one guarded debit did; the database says which ({@code debit_account}'s outcome column). */
public sealed interface DebitResult permits DebitResult.Paid, DebitResult.Insufficient, MaintenanceDue, NoAccount {

    /** Debited: the ledger entry and the account's counters after it. */
    record Paid(long entryId, long balance, long held, long totalTokensUsed) implements DebitResult {
        public long available() {
            return balance - held;
        }
    }

    /** Too few credits available; nothing changed. */
    record Insufficient(AccountSnapshot account) implements DebitResult {
    }
}
