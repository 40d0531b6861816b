package dev.creditledger.sql;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What counts as the database out of reach (a 503), and what stays a bug (a 500). */
class DatabaseOutageTest {

    @Test
    void refusedOrLostConnectionsAndAServerShuttingDownAreAnOutageHoweverWrapped() {
        assertTrue(DatabaseOutage.causedBy(new CompletionException(new IllegalStateException("wrapped",
                new ConnectException("Connection refused")))));
        assertTrue(DatabaseOutage.causedBy(ClosedConnectionException.INSTANCE));
        assertTrue(DatabaseOutage.causedBy(new PgException("terminating connection due to administrator command", "FATAL", "57P01", null)));
        assertTrue(DatabaseOutage.causedBy(new PgException("the database system is starting up", "FATAL", "57P03", null)));
        assertTrue(DatabaseOutage.causedBy(new PgException("connection failure", "FATAL", "08006", null)));
        assertTrue(DatabaseOutage.causedBy(new PgException("sorry, too many clients already", "FATAL", "53300", null)));
        assertTrue(DatabaseOutage.causedBy(new IllegalStateException(new java.io.IOException("Connection reset by peer"))));
        assertTrue(DatabaseOutage.causedBy(new io.vertx.core.VertxException("Pending requests failed")));
        assertTrue(DatabaseOutage.causedBy(new RuntimeException("Unable to obtain connection", new java.sql.SQLException("refused", "08001"))));
    }

    @Test
    void otherDatabaseErrorsAndBugsAreNot() {
        assertFalse(DatabaseOutage.causedBy(new PgException("duplicate key value", "ERROR", "23505", null)));
        assertFalse(DatabaseOutage.causedBy(new PgException("relation does not exist", "ERROR", "42P01", null)));
        assertFalse(DatabaseOutage.causedBy(new PgException("protocol violation", "FATAL", "08P01", null)));
        assertFalse(DatabaseOutage.causedBy(new io.vertx.core.VertxException("something else")));
        assertFalse(DatabaseOutage.causedBy(new IllegalStateException("a bug")));
        assertFalse(DatabaseOutage.causedBy(new java.sql.SQLException("syntax error", "42601")));
        assertFalse(DatabaseOutage.causedBy(null));
    }
}
