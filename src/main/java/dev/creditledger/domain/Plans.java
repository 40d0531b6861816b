package dev.creditledger.domain;

import java.math.BigDecimal;

/**
 * What the domain needs to know of the configured plans: the tier every account falls back to,
 * which tiers exist, each tier's allowance per period in tokens, and how tokens read as credits.
 */
public interface Plans {

    String defaultTier();

    boolean isKnownTier(String tier);

    /** The allowance of a known tier, in tokens. */
    long allowanceTokens(String tier);

    /** Credits shown for a token amount (docs/design.md, rule U1: credits are derived from tokens). */
    BigDecimal credits(long tokens);
}
