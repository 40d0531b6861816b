package dev.creditledger.domain;

/**
 * A guarded write found maintenance due (a period end, an expiry) and changed nothing: the caller
 * applies it under the account row lock and tries once more (docs/design.md, rule W4).
 */
public record MaintenanceDue() implements DebitResult, HoldResult, ResolveResult {
}
