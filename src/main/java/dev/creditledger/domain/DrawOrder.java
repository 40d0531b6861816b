package dev.creditledger.domain;

import java.util.Comparator;

/**
 * The order in which grants pay (docs/design.md, rule D2): priority ascending, then the soonest
 * expiry (none last), then the oldest, then the grant id. The database's {@code draw_grants}
 * (R__draw_grants.sql) sorts by the same keys; DrawOrderAgreementTest proves that both agree.
 */
public final class DrawOrder {

    public static final Comparator<CreditGrant> GRANTS = Comparator.<CreditGrant>comparingInt(g -> g.priority)
            .thenComparing(g -> g.expiresAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(g -> g.createdAt)
            .thenComparing(g -> g.grantId, Comparator.nullsLast(Comparator.naturalOrder()));

    private DrawOrder() {
    }
}
