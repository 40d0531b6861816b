package dev.creditledger.idempotency;

import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import dev.creditledger.sql.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Idempotency records, written in the transaction of the effect they guard. A key is claimed by
 * the transaction's first statement: a concurrent duplicate blocks on the claim until the first
 * transaction ends, then finds the stored response (replay) or, if the first rolled back, takes
 * the claim itself. A refused request rolls back with its claim, so it leaves no record.
 */
@ApplicationScoped
public class IdempotencyStore {

    /** The response stored under a key. */
    public record Stored(int status, String body) {
    }

    /**
     * Claims the key; emits null when claimed, or the stored response to replay. A record past its
     * retention counts as gone: the claim takes it over.
     */
    public Uni<Stored> claim(Sql sql, String userId, IdempotencyKey key, Instant now, Instant expiresAt) {
        return sql.update("insert into idempotency_record (account_id, idempotency_key, fingerprint, created_at, expires_at) "
                        + "values ($1, $2, $3, $4, $5) on conflict (account_id, idempotency_key) do update "
                        + "set fingerprint = excluded.fingerprint, status = null, response = null, "
                        + "created_at = excluded.created_at, expires_at = excluded.expires_at "
                        + "where idempotency_record.expires_at <= excluded.created_at",
                        userId, key.value(), key.fingerprint(), Sql.utc(now), Sql.utc(expiresAt))
                .flatMap(claimed -> claimed == 1 ? Uni.createFrom().nullItem() : stored(sql, userId, key, now, expiresAt));
    }

    private Uni<Stored> stored(Sql sql, String userId, IdempotencyKey key, Instant now, Instant expiresAt) {
        return sql.query("select fingerprint, status, response from idempotency_record "
                        + "where account_id = $1 and idempotency_key = $2", userId, key.value())
                .flatMap(rows -> {
                    if (rows.isEmpty()) {
                        // The cleanup job deleted the expired record between the two statements.
                        return claim(sql, userId, key, now, expiresAt);
                    }
                    Sql.Columns row = rows.get(0);
                    if (!row.string("fingerprint").equals(key.fingerprint())) {
                        return Uni.createFrom().failure(new CreditException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                                "Idempotency-Key '" + key.value() + "' was first used with a different request"));
                    }
                    return Uni.createFrom().item(new Stored(row.integer("status"), row.string("response")));
                });
    }

    public Uni<Void> complete(Sql sql, String userId, IdempotencyKey key, int status, String body) {
        return sql.update("update idempotency_record set status = $3, response = $4 "
                + "where account_id = $1 and idempotency_key = $2", userId, key.value(), status, body).replaceWithVoid();
    }

    /** Deletes up to {@code batch} expired records; emits how many went. Safe with several instances. */
    public Uni<Integer> deleteExpired(Pool pool, Instant now, int batch) {
        return pool.preparedQuery("delete from idempotency_record r using (select account_id, idempotency_key from idempotency_record "
                        + "where expires_at <= $1 limit $2 for update skip locked) old "
                        + "where r.account_id = old.account_id and r.idempotency_key = old.idempotency_key")
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), batch)).map(rows -> rows.rowCount());
    }
}
