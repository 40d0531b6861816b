package dev.creditledger.write;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.api.Answer;
import dev.creditledger.domain.LockedAccount;
import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.idempotency.IdempotencyStore;
import dev.creditledger.metrics.CreditMetrics;
import dev.creditledger.security.AuditLog;
import dev.creditledger.sql.Sql;
import dev.creditledger.store.WrittenAccounts;
import dev.creditledger.time.Instants;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The transactions writes run in. {@link #write} runs one write with its idempotency record
 * (docs/design.md, invariant I5): claim the key first, do the work, store the response, write the
 * audit entry of an admin action; any failure rolls everything back, the claim and the audit
 * entry included. {@link #autocommit} runs one statement as its own transaction, the hot path.
 */
@ApplicationScoped
public class Transactions {

    private final Pool pool;
    private final Vertx vertx;
    private final Sql autocommit;
    private final IdempotencyStore idempotency;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final CreditsConfig config;
    private final AuditLog audit;
    private final CreditMetrics metrics;

    public Transactions(Vertx vertx, Pool pool, IdempotencyStore idempotency, ObjectMapper mapper, Clock clock, CreditsConfig config, AuditLog audit,
                        CreditMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
        this.pool = pool;
        this.vertx = vertx;
        this.autocommit = Sql.on(pool);
        this.idempotency = idempotency;
        this.mapper = mapper;
        this.clock = clock;
        this.config = config;
    }

    /**
     * Runs {@code work} in a Hibernate Reactive transaction with the key's idempotency record (when
     * a key is given) and the audit entry of an admin action ({@link AuditLog#recordInTransaction}).
     */
    public Uni<Answer> write(String userId, IdempotencyKey key, Function<Instant, Uni<Answer.Result>> work) {
        return inTransaction(() -> keyed(userId, key, work)
                .call(answer -> audit.recordInTransaction(Sql.session(), answer.status())));
    }

    private Uni<Answer> keyed(String userId, IdempotencyKey key, Function<Instant, Uni<Answer.Result>> work) {
        Instant now = now();
        if (key == null) {
            return Uni.createFrom().deferred(() -> work.apply(now)).map(this::answer);
        }
        return idempotency.claim(Sql.session(), userId, key, now, now.plus(config.idempotency().retention()))
                .flatMap(stored -> stored != null
                        ? Uni.createFrom().item(new Answer(stored.status(), stored.body(), true))
                        : work.apply(now).flatMap(result -> {
                            String body = json(result.body());
                            return idempotency.complete(Sql.session(), userId, key, result.status(), body)
                                    .replaceWith(new Answer(result.status(), body, false));
                        }));
    }

    /**
     * A Hibernate Reactive transaction without an idempotency record: the slow path, reads that
     * must apply maintenance, the scheduler. Called from outside a request's duplicated Vert.x
     * context (a test, a blocking caller, a root event-loop context), it runs on a new safe
     * duplicated context, where Hibernate Reactive needs to be.
     */
    public <T> Uni<T> inTransaction(Supplier<Uni<T>> work) {
        if (VertxContext.isOnDuplicatedContext()) {
            return counted(work);
        }
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().<T>emitter(emitter -> context.runOnContext(ignored -> counted(work)
                .subscribe().with(emitter::complete, emitter::fail)));
    }

    /** The transaction, and once it has committed, the metrics of what its account writes did (a nested call joins the outer one). */
    private <T> Uni<T> counted(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            if (!WrittenAccounts.open()) {
                return Panache.withTransaction(work);
            }
            return Panache.withTransaction(work).onTermination().invoke((item, failure, cancelled) -> {
                List<LockedAccount> written = WrittenAccounts.take(); // closed however it ends, a cancel included
                if (failure == null && !cancelled) {
                    metrics.committed(written);
                }
            });
        });
    }

    /**
     * One statement in autocommit on the raw reactive client, its own transaction: the guarded
     * writes without an idempotency key take this path first, so the common case is a single round
     * trip (the one raw-client exception, docs/design.md rule P3).
     */
    public <T> Uni<T> autocommit(BiFunction<Sql, Instant, Uni<T>> work) {
        return Uni.createFrom().deferred(() -> work.apply(autocommit, now()));
    }

    /** A transaction on one raw connection, for the API key table, which has no entity. */
    public <T> Uni<T> onConnection(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    /** The instant a write is stamped with, taken once its transaction has begun. */
    private Instant now() {
        return Instants.now(clock);
    }

    /** The answer of a write that needed no idempotency record. */
    public Answer answer(Answer.Result result) {
        return new Answer(result.status(), json(result.body()), false);
    }

    private String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize response", e);
        }
    }
}
