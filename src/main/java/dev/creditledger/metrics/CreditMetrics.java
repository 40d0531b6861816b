package dev.creditledger.metrics;

import dev.creditledger.domain.LockedAccount;
import dev.creditledger.domain.Refusal;
import dev.creditledger.domain.ReservationStatus;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger's own metrics, named once here (Prometheus form at {@code /q/metrics}, the names below
 * with {@code _total} for counters). Labels are the configured features and tiers, grant sources,
 * refusal reasons and reservation events: bounded sets, never a user id or a key. Each is recorded
 * after its transaction committed, once per effect: a replay of an idempotent request is counted
 * as a replay ({@code credits_idempotent_replays_total}, by {@link ApiMetricsFilter}), not again.
 * <ul>
 * <li>{@code credits_consumes_total{feature,tier}}: paid consumes; {@code credits_tokens_debited_total{feature}}:
 * the tokens consumes and settles charged;</li>
 * <li>{@code credits_refusals_total{operation,reason,feature,tier}}: consumes and holds refused
 * ({@code insufficient-credits}, {@code too-many-reservations});</li>
 * <li>{@code credits_tokens_granted_total{source}}: tokens of every grant, the allowance's refills
 * included; {@code credits_tokens_expired_total{source}}: tokens that expired unused;</li>
 * <li>{@code credits_reservations_total{event}}: reservations {@code opened}, {@code settled},
 * {@code released}, {@code expired}; {@code credits_reservations_open}: the open ones, counted by
 * each scheduler run;</li>
 * <li>{@code credits_maintenance_accounts_total{outcome}}: accounts the scheduler brought up to date
 * ({@code maintained}) or left due after a failure ({@code failed}).</li>
 * </ul>
 */
@ApplicationScoped
public class CreditMetrics {

    private final MeterRegistry registry;
    private final AtomicLong openReservations = new AtomicLong();

    public CreditMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("credits.reservations.open", openReservations);
    }

    public void consumed(String feature, String tier, long tokens) {
        registry.counter("credits.consumes", "feature", feature, "tier", known(tier)).increment();
        debited(feature, tokens);
    }

    /** Tokens a consume or a settle charged. */
    public void debited(String feature, long tokens) {
        if (tokens > 0) {
            registry.counter("credits.tokens.debited", "feature", feature).increment(tokens);
        }
    }

    public void refused(String operation, Refusal refusal, String feature, String tier) {
        String reason = refusal instanceof Refusal.TooManyReservations ? "too-many-reservations" : "insufficient-credits";
        registry.counter("credits.refusals", "operation", operation, "reason", reason, "feature", feature, "tier", known(tier))
                .increment();
    }

    /**
     * What the locked accounts written in one committed transaction did besides the operation's
     * own effect, whichever path wrote them (a request, its lazy maintenance, the scheduler): every
     * grant (the API's, and each allowance refill at sign-up, period reset or tier change), every
     * grant expiry, every hold expiry. Called once per commit; a rolled-back write is not counted.
     */
    public void committed(List<LockedAccount> accounts) {
        for (LockedAccount account : accounts) {
            for (LockedAccount.PendingEntry entry : account.entries()) {
                switch (entry.kind()) {
                    case grant -> registry.counter("credits.tokens.granted", "source", entry.grant().source.name())
                            .increment(entry.amount());
                    case expire -> registry.counter("credits.tokens.expired", "source", entry.grant().source.name())
                            .increment(-entry.amount());
                    case release -> {
                        if (entry.hold() != null && entry.hold().status == ReservationStatus.expired) {
                            reservation("expired");
                        }
                    }
                    default -> {
                    }
                }
            }
        }
    }

    /** A reservation {@code opened}, {@code settled} or {@code released}. */
    public void reservation(String event) {
        registry.counter("credits.reservations", "event", event).increment();
    }

    public void openReservations(long count) {
        openReservations.set(count);
    }

    /** A label value the database did not say: {@code unknown}, never a missing tag. */
    private static String known(String value) {
        return value == null ? "unknown" : value;
    }

    public void maintained(int accounts, int failed) {
        registry.counter("credits.maintenance.accounts", "outcome", "maintained").increment(accounts);
        registry.counter("credits.maintenance.accounts", "outcome", "failed").increment(failed);
    }
}
