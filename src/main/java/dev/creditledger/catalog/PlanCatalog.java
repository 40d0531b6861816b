package dev.creditledger.catalog;

import dev.creditledger.domain.Plans;
import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans and feature prices from configuration, converted to tokens once at start-up. A plan or
 * price that is not a whole number of tokens stops the service at start with a clear message.
 */
@Startup
@ApplicationScoped
public class PlanCatalog implements Plans {

    static final int MAX_NAME_LENGTH = 64;

    private final long tokensPerCredit;
    private final String defaultTier;
    private final long maxTokensPerRequest;
    private final Map<String, Long> allowances = new TreeMap<>();
    private final Map<String, PricedFeature> features = new TreeMap<>();

    public PlanCatalog(CreditsConfig config) {
        if (config.tokensPerCredit() <= 0) {
            throw new IllegalStateException("credits.tokens-per-credit must be positive");
        }
        this.tokensPerCredit = config.tokensPerCredit();
        this.defaultTier = config.defaultTier();
        this.maxTokensPerRequest = config.maxTokensPerRequest();
        config.plans().forEach((tier, plan) -> allowances.put(checkedName("credits.plans", tier),
                configuredTokens("credits.plans." + tier + ".credits", plan.credits(), true)));
        if (!allowances.containsKey(defaultTier)) {
            throw new IllegalStateException("credits.default-tier '" + defaultTier + "' is not a configured plan");
        }
        config.features().forEach((name, feature) -> {
            long price = 0;
            if (feature.pricing() == CreditsConfig.Pricing.fixed) {
                BigDecimal credits = feature.credits().orElseThrow(() ->
                        new IllegalStateException("credits.features." + name + ".credits is required for a fixed price"));
                price = configuredTokens("credits.features." + name + ".credits", credits, false);
            }
            features.put(checkedName("credits.features", name), new PricedFeature(name, feature.pricing(), price));
        });
    }

    private long configuredTokens(String property, BigDecimal credits, boolean zeroAllowed) {
        BigDecimal tokens = credits.multiply(BigDecimal.valueOf(tokensPerCredit));
        if (tokens.signum() < 0 || (!zeroAllowed && tokens.signum() == 0) || tokens.stripTrailingZeros().scale() > 0
                || tokens.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalStateException(property + " = " + credits + " is not a positive whole number of tokens within range");
        }
        return tokens.longValueExact();
    }

    /** Names are stored in varchar(64) columns and sent in requests limited to 64 characters. */
    private static String checkedName(String property, String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalStateException(property + ": the name '" + name + "' must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
        return name;
    }

    public long tokensPerCredit() {
        return tokensPerCredit;
    }

    @Override
    public String defaultTier() {
        return defaultTier;
    }

    public long maxTokensPerRequest() {
        return maxTokensPerRequest;
    }

    /** A reported or requested token count: null stays null; above {@link #maxTokensPerRequest()} is a 400 naming {@code tokens}. */
    public Long checkedTokens(Long tokens) {
        if (tokens != null && tokens > maxTokensPerRequest) {
            throw CreditException.invalid("tokens", "must be at most " + maxTokensPerRequest);
        }
        return tokens;
    }

    /** The allowance of a tier, in tokens; an unknown tier is a 400 naming {@code field}. */
    public long allowanceTokens(String tier, String field) {
        Long tokens = tier == null ? null : allowances.get(tier);
        if (tokens == null) {
            throw new CreditException(ErrorCode.UNKNOWN_TIER, "Unknown tier '" + tier + "'; known tiers: " + allowances.keySet())
                    .with("errors", List.of(new CreditException.FieldError(field, "unknown tier")));
        }
        return tokens;
    }

    @Override
    public long allowanceTokens(String tier) {
        return allowanceTokens(tier, "tier");
    }

    @Override
    public boolean isKnownTier(String tier) {
        return allowances.containsKey(tier);
    }

    public PricedFeature feature(String name) {
        PricedFeature feature = name == null ? null : features.get(name);
        if (feature == null) {
            throw new CreditException(ErrorCode.UNKNOWN_FEATURE, "Unknown feature '" + name + "'; known features: " + features.keySet())
                    .with("errors", List.of(new CreditException.FieldError("feature", "unknown feature")));
        }
        return feature;
    }

    /** Converts a credit amount from a request to tokens: positive, bounded, whole tokens. */
    public long tokensOf(BigDecimal credits, String field) {
        BigDecimal tokens = credits.multiply(BigDecimal.valueOf(tokensPerCredit));
        if (tokens.signum() <= 0) {
            throw CreditException.invalid(field, "must be positive");
        }
        if (tokens.stripTrailingZeros().scale() > 0) {
            throw CreditException.invalid(field, "must be a whole number of tokens (1 credit = " + tokensPerCredit + " tokens)");
        }
        if (tokens.compareTo(BigDecimal.valueOf(maxTokensPerRequest)) > 0) {
            throw CreditException.invalid(field, "must be at most " + credits(maxTokensPerRequest) + " credits");
        }
        return tokens.longValueExact();
    }

    /** Credits shown for a token amount: exact where the division is, otherwise cut to 6 decimals. */
    @Override
    public BigDecimal credits(long tokens) {
        BigDecimal credits = BigDecimal.valueOf(tokens).divide(BigDecimal.valueOf(tokensPerCredit), 6, RoundingMode.DOWN);
        credits = credits.stripTrailingZeros();
        return credits.scale() < 0 ? credits.setScale(0) : credits;
    }

    public List<Map.Entry<String, Long>> plansByAllowance() {
        return allowances.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey())).toList();
    }

    public List<PricedFeature> features() {
        return features.values().stream().sorted(Comparator.comparing(PricedFeature::name)).toList();
    }

    /** A feature with its price in tokens per request (0 for metered features). */
    public record PricedFeature(String name, CreditsConfig.Pricing pricing, long tokensPerRequest) {
        public boolean metered() {
            return pricing == CreditsConfig.Pricing.metered;
        }
    }
}
