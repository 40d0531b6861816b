package dev.creditledger.write;

import dev.creditledger.api.Answer;
import dev.creditledger.domain.Actors;
import dev.creditledger.domain.MaintenanceDue;
import dev.creditledger.domain.NoAccount;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.problem.CreditException;
import dev.creditledger.sql.Sql;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The one pipeline of every write that moves credits through a guarded database call (consume,
 * hold, settle, release; docs/design.md, rule W4): attempt the call (inside the transaction that
 * holds the Idempotency-Key's record, or alone in autocommit); only when it answers
 * {@link MaintenanceDue}, lock the account, apply the maintenance and attempt once more, in one
 * transaction, at the same instant; then answer. {@link NoAccount} is a 404 wherever it comes.
 */
@ApplicationScoped
public class GuardedWrite {

    private final Transactions transactions;
    private final DueMaintenance maintenance;

    public GuardedWrite(Transactions transactions, DueMaintenance maintenance) {
        this.transactions = transactions;
        this.maintenance = maintenance;
    }

    /**
     * @param attempt the guarded call, on the given client at the given instant
     * @param answer  turns a result other than {@link MaintenanceDue} and {@link NoAccount} into the
     *                answer, or throws its refusal (which rolls the transaction back)
     */
    public <R> Uni<Answer> run(String userId, IdempotencyKey key, BiFunction<Sql, Instant, Uni<R>> attempt,
                               BiFunction<R, Instant, Answer.Result> answer) {
        BiFunction<R, Instant, Answer.Result> settled = (result, now) -> {
            if (result instanceof NoAccount) {
                throw CreditException.accountNotFound(userId);
            }
            if (result instanceof MaintenanceDue) {
                throw new IllegalStateException("maintenance of account " + userId + " is still due after it was applied");
            }
            return answer.apply(result, now);
        };
        Function<Instant, Uni<R>> slow = now -> maintenance.applyAndWrite(userId, now, Actors.API)
                .chain(() -> attempt.apply(Sql.session(), now));
        if (key != null) {
            return transactions.write(userId, key, now -> attempt.apply(Sql.session(), now)
                    .flatMap(first -> first instanceof MaintenanceDue ? slow.apply(now) : Uni.createFrom().item(first))
                    .map(done -> settled.apply(done, now)));
        }
        // On the slow path the answer (or the refusal it throws) is made inside the transaction,
        // so a refusal rolls the maintenance back with everything else: a refused request changes nothing.
        return transactions.autocommit((sql, now) -> attempt.apply(sql, now)
                .flatMap(first -> first instanceof MaintenanceDue
                        ? transactions.inTransaction(() -> slow.apply(now).map(done -> settled.apply(done, now)))
                        : Uni.createFrom().item(() -> settled.apply(first, now)))
                .map(transactions::answer));
    }
}
