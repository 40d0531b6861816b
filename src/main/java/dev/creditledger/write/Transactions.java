package dev.creditledger.write;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.api.Answer;
import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.idempotency.IdempotencyStore;
import dev.creditledger.security.AuditLog;
import dev.creditledger.time.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BiFunction;

/**
 * The transactions writes run in. {@link #write} runs one write with its idempotency record
 * (docs/design.md, invariant I5): claim the key first, do the work, store the response, write the
 * audit entry of an admin action; any failure rolls everything back, the claim and the audit
 * entry included. {@link #autocommit} runs one statement as its own transaction, the hot path.
 */
@ApplicationScoped
public class Transactions {

    private final Pool pool;
    private final IdempotencyStore idempotency;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final CreditsConfig config;
    private final AuditLog audit;

    public Transactions(Pool pool, IdempotencyStore idempotency, ObjectMapper mapper, Clock clock, CreditsConfig config, AuditLog audit) {
        this.audit = audit;
        this.pool = pool;
        this.idempotency = idempotency;
        this.mapper = mapper;
        this.clock = clock;
        this.config = config;
    }

    /** Also writes the audit entry of an admin action in the same transaction ({@link AuditLog#recordInTransaction}). */
    public Uni<Answer> write(String userId, IdempotencyKey key, BiFunction<SqlConnection, Instant, Uni<Answer.Result>> work) {
        return pool.withTransaction(conn -> inTransaction(conn, userId, key, work)
                .call(outcome -> audit.recordInTransaction(conn, outcome.status())));
    }

    private Uni<Answer> inTransaction(SqlConnection conn, String userId, IdempotencyKey key,
                                       BiFunction<SqlConnection, Instant, Uni<Answer.Result>> work) {
        Instant now = now();
        if (key == null) {
            return work.apply(conn, now).map(this::answer);
        }
        return idempotency.claim(conn, userId, key, now, now.plus(config.idempotency().retention()))
                .flatMap(stored -> stored != null
                        ? Uni.createFrom().item(new Answer(stored.status(), stored.body(), true))
                        : work.apply(conn, now).flatMap(result -> {
                            String body = json(result.body());
                            return idempotency.complete(conn, userId, key, result.status(), body)
                                    .replaceWith(new Answer(result.status(), body, false));
                        }));
    }

    /**
     * One statement in autocommit, its own transaction: the debit without an idempotency key takes
     * this path first, so the common case is a single round trip.
     */
    public <T> Uni<T> autocommit(BiFunction<SqlClient, Instant, Uni<T>> work) {
        return Uni.createFrom().deferred(() -> work.apply(pool, now()));
    }

    /** The instant a write is stamped with, taken once its connection is in hand. */
    public Instant now() {
        return Instants.now(clock);
    }

    /** The outcome of a write that needed no idempotency record. */
    public Answer answer(Answer.Result result) {
        return new Answer(result.status(), json(result.body()), false);
    }

    /** A transaction without an idempotency key, for maintenance and reads that must apply it. */
    public <T> Uni<T> plain(java.util.function.Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    private String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize response", e);
        }
    }
}
