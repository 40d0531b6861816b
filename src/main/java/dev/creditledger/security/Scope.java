package dev.creditledger.security;

/**
 * What an API key may do. {@code admin} may call every endpoint; {@code meter} initializes and
 * reads accounts and pays for actions; {@code read} reads accounts and ledgers.
 */
public enum Scope {
    admin, meter, read
}
