package dev.creditledger.ledger;

/** What a ledger entry did to the balance. */
public enum EntryKind {
    grant, consume, expire, hold, settle, release, adjust, refund
}
