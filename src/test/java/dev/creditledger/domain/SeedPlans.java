package dev.creditledger.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** The seed's plans in tokens (2000 per credit): free 5 credits, pro 100, enterprise 1000; free is the default. */
final class SeedPlans implements Plans {

    static final SeedPlans PLANS = new SeedPlans();

    static final long FREE = 10_000;
    static final long PRO = 200_000;
    static final long ENTERPRISE = 2_000_000;

    private final Map<String, Long> allowances = Map.of("free", FREE, "pro", PRO, "enterprise", ENTERPRISE);

    private SeedPlans() {
    }

    @Override
    public String defaultTier() {
        return "free";
    }

    @Override
    public boolean isKnownTier(String tier) {
        return allowances.containsKey(tier);
    }

    @Override
    public long allowanceTokens(String tier) {
        Long tokens = allowances.get(tier);
        if (tokens == null) {
            throw new IllegalArgumentException("not a configured tier: " + tier);
        }
        return tokens;
    }

    @Override
    public BigDecimal credits(long tokens) {
        return BigDecimal.valueOf(tokens).divide(BigDecimal.valueOf(2000), 6, RoundingMode.DOWN).stripTrailingZeros();
    }
}
