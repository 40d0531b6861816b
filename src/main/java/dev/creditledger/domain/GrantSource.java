package dev.creditledger.domain;

/** Where a grant's tokens came from. */
public enum GrantSource {
    allowance, bonus, promo, purchase, loyalty, cohort, adjustment
}
