package dev.creditledger.consume;

import dev.creditledger.api.Answer;
import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.domain.Actors;
import dev.creditledger.domain.DebitResult;
import dev.creditledger.domain.Refusal;
import dev.creditledger.domain.RefusedException;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.metrics.CreditMetrics;
import dev.creditledger.problem.CreditException;
import dev.creditledger.store.GuardedUpdates;
import dev.creditledger.write.GuardedWrite;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pays for one action. The common case, paid or refused, is the guarded debit alone: one round
 * trip in autocommit (or, with an Idempotency-Key, inside the transaction that holds the key's
 * record); only when maintenance is due does {@link GuardedWrite} take the row lock, apply it and
 * debit once more.
 */
@ApplicationScoped
public class ConsumeService {

    private final GuardedWrite guarded;
    private final GuardedUpdates updates;
    private final PlanCatalog plans;
    private final CreditMetrics metrics;

    public ConsumeService(GuardedWrite guarded, GuardedUpdates updates, PlanCatalog plans, CreditMetrics metrics) {
        this.guarded = guarded;
        this.updates = updates;
        this.plans = plans;
        this.metrics = metrics;
    }

    public Uni<Answer> consume(String userId, ConsumeRequest request, IdempotencyKey key) {
        PlanCatalog.PricedFeature feature = plans.feature(request.feature());
        Long tokens = plans.checkedTokens(request.tokens());
        if (feature.metered() && tokens == null) {
            throw CreditException.invalid("tokens", "is required for the metered feature '" + feature.name() + "'");
        }
        long cost = feature.metered() ? tokens : feature.tokensPerRequest();
        String keyValue = key == null ? null : key.value();
        AtomicReference<String> tier = new AtomicReference<>();
        return guarded.run(userId, key,
                (client, now) -> updates.debit(client, userId, cost, tokens, feature.name(), keyValue, Actors.API, now),
                (DebitResult result, java.time.Instant now) -> {
                    if (result instanceof DebitResult.Insufficient refused) {
                        tier.set(refused.account().tier());
                        throw new RefusedException(Refusal.InsufficientCredits.of(refused.account(), cost, now, plans));
                    }
                    DebitResult.Paid paid = (DebitResult.Paid) result;
                    tier.set(paid.tier());
                    return new Answer.Result(200, response(feature.name(), cost, paid));
                })
                // Counted once committed (a replay is no new consume), or once refused.
                .invoke(answer -> {
                    if (!answer.replayed()) {
                        metrics.consumed(feature.name(), tier.get(), cost);
                    }
                })
                .onFailure(e -> RefusedException.in(e) != null)
                .invoke(e -> metrics.refused("consume", RefusedException.in(e), feature.name(), tier.get()));
    }

    private ConsumeResponse response(String feature, long cost, DebitResult.Paid paid) {
        return new ConsumeResponse(true, feature, paid.entryId(), new ConsumeResponse.CreditInfo(cost, plans.credits(cost),
                plans.credits(paid.available()), paid.available(), paid.totalTokensUsed()));
    }
}
