package dev.creditledger.sql;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;

/**
 * Whether a failure says the database cannot be reached right now (refused, reset or lost
 * connections, a server shutting down, starting or full), not that the request or the code is wrong.
 * It is used where a failure can only come from the database (a request's handling, the start's
 * migration), so an I/O failure there is the database connection's. Such a failure
 * is answered 503 {@code unavailable} with Retry-After, and readiness is down meanwhile (the
 * datasource's health check): both recover by themselves when the database is back.
 */
public final class DatabaseOutage {

    /** Seconds a client should wait before retrying. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private DatabaseOutage() {
    }

    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof ClosedConnectionException || t instanceof ClosedChannelException) {
                return true;
            }
            // A connection reset under a query (the server killed), and the commands queued behind it.
            if (t instanceof IOException || t instanceof VertxException && t.getMessage() != null
                    && t.getMessage().startsWith("Pending requests failed")) {
                return true;
            }
            if (t instanceof PgException pg && unreachable(pg.getSqlState())) {
                return true;
            }
            if (t instanceof SQLException sql && unreachable(sql.getSQLState())) {
                return true;   // the JDBC connection Flyway migrates with
            }
        }
        return false;
    }

    /**
     * Connection exceptions (class 08, but a protocol violation: that is a bug), a server shutting
     * down or not yet accepting (57P01-57P03), and a server with no connection left (53300).
     */
    private static boolean unreachable(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") && !sqlState.equals("08P01") || sqlState.equals("57P01")
                || sqlState.equals("57P02") || sqlState.equals("57P03") || sqlState.equals("53300"));
    }
}
