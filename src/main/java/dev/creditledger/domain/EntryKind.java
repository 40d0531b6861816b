package dev.creditledger.domain;

/** What a ledger entry did to the balance. */
public enum EntryKind {
    grant, consume, expire, hold, settle, release, shrink, adjust, refund
}
