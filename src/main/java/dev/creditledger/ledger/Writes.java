package dev.creditledger.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.idempotency.IdempotencyStore;
import dev.creditledger.plan.CreditsConfig;
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
 * Runs one write in one transaction, with its idempotency record: claim the key first, do the
 * work, store the response, write the audit entry of an admin action. Any failure rolls everything
 * back, the claim and the audit entry included.
 */
@ApplicationScoped
public class Writes {

    private final Pool pool;
    private final IdempotencyStore idempotency;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final CreditsConfig config;
    private final AuditLog audit;

    public Writes(Pool pool, IdempotencyStore idempotency, ObjectMapper mapper, Clock clock, CreditsConfig config, AuditLog audit) {
        this.audit = audit;
        this.pool = pool;
        this.idempotency = idempotency;
        this.mapper = mapper;
        this.clock = clock;
        this.config = config;
    }

    /** Also writes the audit entry of an admin action in the same transaction ({@link AuditLog#recordInTransaction}). */
    public Uni<Outcome> run(String userId, IdempotencyKey key, BiFunction<SqlConnection, Instant, Uni<Outcome.Result>> work) {
        return pool.withTransaction(conn -> inTransaction(conn, userId, key, work)
                .call(outcome -> audit.recordInTransaction(conn, outcome.status())));
    }

    private Uni<Outcome> inTransaction(SqlConnection conn, String userId, IdempotencyKey key,
                                       BiFunction<SqlConnection, Instant, Uni<Outcome.Result>> work) {
        Instant now = now();
        if (key == null) {
            return work.apply(conn, now).map(this::outcome);
        }
        return idempotency.claim(conn, userId, key, now, now.plus(config.idempotency().retention()))
                .flatMap(stored -> stored != null
                        ? Uni.createFrom().item(new Outcome(stored.status(), stored.body(), true))
                        : work.apply(conn, now).flatMap(result -> {
                            String body = json(result.body());
                            return idempotency.complete(conn, userId, key, result.status(), body)
                                    .replaceWith(new Outcome(result.status(), body, false));
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
    public Outcome outcome(Outcome.Result result) {
        return new Outcome(result.status(), json(result.body()), false);
    }

    /** A transaction without an idempotency key, for maintenance and reads that must apply it. */
    public <T> Uni<T> transaction(java.util.function.Function<SqlConnection, Uni<T>> work) {
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
