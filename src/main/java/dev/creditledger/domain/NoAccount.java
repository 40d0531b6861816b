package dev.creditledger.domain;

/** A guarded write found no account of that user id and changed nothing. */
public record NoAccount() implements DebitResult, HoldResult, ResolveResult {
}
