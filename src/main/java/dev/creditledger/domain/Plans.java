package dev.creditledger.domain;

/**
 * What the domain needs to know of the configured plans: the tier every account falls back to,
 * which tiers exist, and each tier's allowance per period in tokens.
 */
public interface Plans {

    String defaultTier();

    boolean isKnownTier(String tier);

    /** The allowance of a known tier, in tokens. */
    long allowanceTokens(String tier);
}
