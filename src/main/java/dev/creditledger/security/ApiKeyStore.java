package dev.creditledger.security;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** API keys in the database, found by the hash of the key. */
@ApplicationScoped
public class ApiKeyStore {

    private static final String COLUMNS = "key_id, prefix, name, scopes, rate_limit, created_at, last_used_at, revoked_at";

    private final Pool pool;

    public ApiKeyStore(Pool pool) {
        this.pool = pool;
    }

    /** The active key with this hash, noting its use; null when none (unknown or revoked). */
    public Uni<ApiKey> findActiveAndTouch(String hash, Instant now) {
        return pool.preparedQuery("update api_key set last_used_at = $2 where key_hash = $1 and revoked_at is null returning " + COLUMNS)
                .execute(Tuple.of(hash, now.atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.size() == 0 ? null : key(rows.iterator().next()));
    }

    public Uni<ApiKey> insert(SqlClient client, String key, String name, Set<Scope> scopes, Integer rateLimit, Instant now) {
        return client.preparedQuery("insert into api_key (prefix, key_hash, name, scopes, rate_limit, created_at) "
                        + "values ($1, $2, $3, $4, $5, $6) returning " + COLUMNS)
                .execute(Tuple.tuple().addValue(ApiKeys.visiblePrefix(key)).addValue(ApiKeys.hash(key)).addValue(name)
                        .addValue(scopes.stream().map(Enum::name).sorted().toArray(String[]::new)).addValue(rateLimit)
                        .addValue(now.atOffset(ZoneOffset.UTC)))
                .map(rows -> key(rows.iterator().next()));
    }

    public Uni<List<ApiKey>> list() {
        return pool.query("select " + COLUMNS + " from api_key order by key_id").execute().map(rows -> {
            List<ApiKey> keys = new ArrayList<>();
            for (Row row : rows) {
                keys.add(key(row));
            }
            return keys;
        });
    }

    /** Revokes a key (a second revocation keeps the first instant); null when there is no such key. */
    public Uni<ApiKey> revoke(SqlClient client, long keyId, Instant now) {
        return client.preparedQuery("update api_key set revoked_at = coalesce(revoked_at, $2) where key_id = $1 returning " + COLUMNS)
                .execute(Tuple.of(keyId, now.atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.size() == 0 ? null : key(rows.iterator().next()));
    }

    private static ApiKey key(Row row) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(row.getArrayOfStrings("scopes")).map(Scope::valueOf).forEach(scopes::add);
        return new ApiKey(row.getLong("key_id"), row.getString("prefix"), row.getString("name"), scopes, row.getInteger("rate_limit"),
                instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("last_used_at")),
                instant(row.getOffsetDateTime("revoked_at")));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
