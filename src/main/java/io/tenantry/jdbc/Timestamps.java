package io.tenantry.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Moves instants in and out of {@code timestamp with time zone} columns as
 * OffsetDateTime, which both drivers map exactly (and, unlike java.sql.Timestamp,
 * without a detour through the JVM's default time zone).
 */
public final class Timestamps {

    private Timestamps() {
    }

    public static OffsetDateTime of(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /**
     * {@code at}, or the first microsecond (the columns' precision) after {@code latest} when
     * {@code at} is not later: the time of a row added to a history whose last row is
     * {@code latest}. A change stamped when its request began can commit after one that began
     * later; stamped this way, under the lock of what the history is of, its row still comes
     * last, as its value does on the row it changed.
     */
    public static Instant after(Instant latest, Instant at) {
        return latest == null || at.truncatedTo(ChronoUnit.MICROS).isAfter(latest) ? at
                : latest.plus(1, ChronoUnit.MICROS);
    }

    public static Instant read(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    public static Instant read(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
