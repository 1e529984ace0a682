package io.tenantry.jdbc;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * A failure the database gives a request that sent again would likely succeed: its
 * transaction lost a deadlock or a serialization check to a concurrent one, waited longer
 * than its lock timeout, found no pooled connection free, or found the database not taking
 * connections for a moment. The database rolled the transaction back; neither the caller
 * (4xx) nor a fault of the server's (500) is to blame, so the API answers 503 with
 * Retry-After.
 */
public final class DatabaseGaveWay {

    /**
     * serialization_failure (also H2's deadlock), deadlock_detected, lock_not_available,
     * H2's lock timeout and concurrent update, too_many_connections, cannot_connect_now.
     */
    private static final Set<String> STATES = Set.of("40001", "40P01", "55P03", "HYT00", "90131", "53300", "57P03");
    /** Class 08: the connection failed (the database restarting, say). */
    private static final String CONNECTION_CLASS = "08";

    private DatabaseGaveWay() {
    }

    /** Whether {@code failure}, or any of its causes, is such a failure. */
    public static boolean causes(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // The pool's timeout (HikariCP's SQLTransientConnectionException) and JDBC's own transient kinds.
            if (cause instanceof SQLTransientException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (STATES.contains(sql.getSQLState()) || sql.getSQLState().startsWith(CONNECTION_CLASS))) {
                return true;
            }
        }
        return false;
    }
}
