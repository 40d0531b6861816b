package dev.creditledger.domain;

/** What one guarded debit did; the database says which ({@code debit_account}'s outcome column). */
public sealed interface DebitResult permits DebitResult.Paid, DebitResult.Insufficient, MaintenanceDue, NoAccount {

    /** Debited: the ledger entry, the account's counters after it, and its tier. */
    record Paid(long entryId, long balance, long held, long totalTokensUsed, String tier) implements DebitResult {
        public long available() {
            return balance - held;
        }
    }

    /** Too few credits available; nothing changed. */
    record Insufficient(AccountSnapshot account) implements DebitResult {
    }
}
