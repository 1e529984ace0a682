package io.tenantry.jdbc;

import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/**
 * The SQLSTATE a database failure carries somewhere in its causes: Spring's translation wraps
 * the driver's exception, sometimes twice, and code that decides on a state (retry, refuse,
 * blame the server) must find it wherever it sits.
 */
public final class SqlState {

    private SqlState() {
    }

    /** The first SQLSTATE among {@code failure}'s causes, if any carries one. */
    public static Optional<String> of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /** Whether any of {@code failure}'s causes carries one of {@code states}. */
    public static boolean isAnyOf(Throwable failure, Set<String> states) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && states.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
