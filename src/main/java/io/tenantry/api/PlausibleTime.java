package io.tenantry.api;

import java.time.Instant;
import java.time.YearMonth;

/**
 * The times the API accepts: from 2000-01-01 up to (not including) 2200-01-01, UTC. Java
 * parses instants a billion years away, which no database column holds; a time outside
 * this range is a mistake in the request, and is refused naming its field rather than
 * failing deep inside a query.
 */
public final class PlausibleTime {

    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** The first instant past the range. */
    public static final Instant END = Instant.parse("2200-01-01T00:00:00Z");
    public static final YearMonth FIRST_MONTH = YearMonth.of(2000, 1);
    public static final YearMonth LAST_MONTH = YearMonth.of(2199, 12);

    private PlausibleTime() {
    }

    public static boolean contains(Instant at) {
        return !at.isBefore(EARLIEST) && at.isBefore(END);
    }

    public static boolean contains(YearMonth month) {
        return !month.isBefore(FIRST_MONTH) && !month.isAfter(LAST_MONTH);
    }

    /** {@code at}, or a 400 naming {@code field} when it lies outside the range. */
    public static Instant require(String field, Instant at) {
        if (!contains(at)) {
            throw ApiException.badRequest(field, field + " must lie between 2000-01-01 and 2200-01-01 (UTC).");
        }
        return at;
    }

    /** {@code month}, or a 400 naming {@code field} when it lies outside the range. */
    public static YearMonth require(String field, YearMonth month) {
        if (!contains(month)) {
            throw ApiException.badRequest(field, field + " must be a month from 2000-01 to 2199-12.");
        }
        return month;
    }
}
