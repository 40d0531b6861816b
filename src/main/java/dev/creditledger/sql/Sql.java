package dev.creditledger.sql;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One SQL statement with positional parameters ({@code $1}, {@code $2}, ...), run either inside
 * the current Hibernate Reactive transaction ({@link #session()}: every transactional write) or on
 * the raw reactive client ({@link #on(SqlClient)}: the one-statement autocommit hot path). The
 * statements that stay SQL (the guarded functions, the idempotency claim, the audit entry) are
 * written and mapped once, whichever of the two runs them.
 */
public interface Sql {

    /** The rows the statement returns. */
    Uni<List<Columns>> query(String sql, Object... params);

    /** The number of rows the statement changed. */
    Uni<Integer> update(String sql, Object... params);

    /** Statements of the current Hibernate Reactive session, inside its transaction. */
    static Sql session() {
        return SessionSql.INSTANCE;
    }

    /** Statements on the raw reactive client: a pool runs each one as its own transaction. */
    static Sql on(SqlClient client) {
        return new ClientSql(client);
    }

    /** Columns of one result row, by name. */
    interface Columns {
        Object value(String column);

        default String string(String column) {
            return (String) value(column);
        }

        default Long longValue(String column) {
            Object v = value(column);
            return v == null ? null : ((Number) v).longValue();
        }

        default Integer integer(String column) {
            Object v = value(column);
            return v == null ? null : ((Number) v).intValue();
        }

        default Boolean bool(String column) {
            return (Boolean) value(column);
        }

        default Instant instant(String column) {
            Object v = value(column);
            if (v == null) {
                return null;
            }
            if (v instanceof OffsetDateTime t) {
                return t.toInstant();
            }
            if (v instanceof Instant i) {
                return i;
            }
            if (v instanceof java.sql.Timestamp t) {
                return t.toInstant();
            }
            if (v instanceof java.time.ZonedDateTime z) {
                return z.toInstant();
            }
            throw new IllegalStateException("column " + column + " is no instant: " + v.getClass());
        }
    }

    /** An instant as a timestamptz parameter. */
    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Runs statements in the current session; {@code $n} becomes Hibernate's {@code ?n}. */
    final class SessionSql implements Sql {

        static final SessionSql INSTANCE = new SessionSql();
        private static final Pattern POSITIONAL = Pattern.compile("\\$(\\d+)");

        private SessionSql() {
        }

        @Override
        public Uni<List<Columns>> query(String sql, Object... params) {
            return Panache.getSession().flatMap(session -> {
                var query = session.createNativeQuery(hibernate(sql), jakarta.persistence.Tuple.class);
                for (int i = 0; i < params.length; i++) {
                    query.setParameter(i + 1, params[i]);
                }
                return query.getResultList();
            }).map(tuples -> {
                List<Columns> rows = new ArrayList<>(tuples.size());
                for (jakarta.persistence.Tuple t : tuples) {
                    rows.add(column -> t.get(column));
                }
                return rows;
            });
        }

        @Override
        public Uni<Integer> update(String sql, Object... params) {
            return Panache.getSession().flatMap(session -> {
                var query = session.createNativeQuery(hibernate(sql));
                for (int i = 0; i < params.length; i++) {
                    query.setParameter(i + 1, params[i]);
                }
                return query.executeUpdate();
            });
        }

        private static String hibernate(String sql) {
            return POSITIONAL.matcher(sql).replaceAll("?$1");
        }
    }

    /** Runs statements on a raw reactive client. */
    record ClientSql(SqlClient client) implements Sql {

        @Override
        public Uni<List<Columns>> query(String sql, Object... params) {
            return client.preparedQuery(sql).execute(Tuple.from(params)).map(rowSet -> {
                List<Columns> rows = new ArrayList<>(rowSet.size());
                for (Row row : rowSet) {
                    rows.add(row::getValue);
                }
                return rows;
            });
        }

        @Override
        public Uni<Integer> update(String sql, Object... params) {
            return client.preparedQuery(sql).execute(Tuple.from(params)).map(rowSet -> rowSet.rowCount());
        }
    }
}
