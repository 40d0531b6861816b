package dev.creditledger.security;

import dev.creditledger.api.Cursors;
import dev.creditledger.sql.Sql;
import dev.creditledger.time.Instants;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The audit log of admin actions, read newest first. An action that changes something writes its
 * entry inside its own transaction ({@link #recordInTransaction}), so the two commit or roll back
 * together; a refused or failed action is recorded after its answer is known ({@link #record}).
 */
@ApplicationScoped
public class AuditLog {

    @Schema(name = "AuditEntry")
    public record Entry(
            @Schema(example = "12") long auditId,
            @Schema(description = "The key that acted", example = "1") long keyId,
            @Schema(example = "cl_Xq3vT9kP") String keyPrefix,
            @Schema(example = "POST") String method,
            @Schema(example = "/v1/accounts/user_123/grants") String path,
            @Schema(description = "The status answered", example = "201") int status,
            @Schema(description = "The request's X-Request-Id") String requestId,
            Instant createdAt) {
    }

    @Schema(name = "AuditPage")
    public record Page(List<Entry> entries, @Schema(description = "Pass as `cursor` for older entries; null on the last page", nullable = true) String nextCursor) {
    }

    /** An admin action under way on this request: who, what, and whether its transaction wrote the entry. */
    public static final class Pending {
        final ApiKey key;
        final String method;
        final String path;
        final String requestId;
        /** The status the action's transaction recorded, if it did (the transaction may still roll back). */
        volatile Integer written;

        Pending(ApiKey key, String method, String path, String requestId) {
            this.key = key;
            this.method = method;
            this.path = path;
            this.requestId = requestId;
        }
    }

    private static final String PENDING = "credit-ledger.audit.pending";

    private final Pool pool;
    private final Clock clock;

    public AuditLog(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** Marks this request (its Vert.x duplicated context) as an admin action to audit. */
    static void begin(Pending pending) {
        ContextLocals.put(PENDING, pending);
    }

    static Optional<Pending> pending() {
        return VertxContext.isOnDuplicatedContext() ? ContextLocals.get(PENDING) : Optional.empty();
    }

    /**
     * Writes the entry of the admin action this request is making, on the action's own connection and
     * inside its transaction, with the status the action will answer. Nothing when the request is no
     * audited action.
     */
    public Uni<Void> recordInTransaction(Sql sql, int status) {
        Optional<Pending> pending = pending();
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Pending action = pending.get();
        return insert(sql, action.key, action.method, action.path, status, action.requestId)
                .invoke(() -> action.written = status);
    }

    /** Writes an entry on its own, after the answer is known: for actions refused or failed before they could commit one. */
    public Uni<Void> record(ApiKey key, String method, String path, int status, String requestId) {
        return insert(Sql.on(pool), key, method, path, status, requestId);
    }

    private Uni<Void> insert(Sql sql, ApiKey key, String method, String path, int status, String requestId) {
        return sql.update("insert into audit_entry (key_id, key_prefix, method, path, status, request_id, created_at) "
                        + "values ($1, $2, $3, $4, $5, $6, $7)", key.keyId(), key.prefix(), method,
                        path.length() > 600 ? path.substring(0, 600) : path, status, requestId, Sql.utc(Instants.now(clock)))
                .replaceWithVoid();
    }

    public Uni<Page> page(int limit, String cursor) {
        Long before = Cursors.entryId(cursor);
        return pool.preparedQuery("select audit_id, key_id, key_prefix, method, path, status, request_id, created_at from audit_entry "
                        + "where $1::bigint is null or audit_id < $1 order by audit_id desc limit $2")
                .execute(Tuple.of(before, limit + 1))
                .map(rows -> {
                    List<Entry> entries = new ArrayList<>();
                    for (Row row : rows) {
                        entries.add(new Entry(row.getLong("audit_id"), row.getLong("key_id"), row.getString("key_prefix"),
                                row.getString("method"), row.getString("path"), row.getInteger("status"), row.getString("request_id"),
                                row.getOffsetDateTime("created_at").toInstant()));
                    }
                    Cursors.Slice<Entry> page = Cursors.Slice.of(entries, limit, Entry::auditId);
                    return new Page(page.items(), page.nextCursor());
                });
    }
}
