package io.tenantry.support;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Tests that work out "this month" or "today" at their start and check what the server
 * bills later would fail if a month or a day ended in between. They call these first: close
 * to a boundary, they wait until it has passed, so the calendar stays the same while they run.
 */
public final class MonthEdge {

    /** Longer than any one test takes. */
    private static final Duration MARGIN = Duration.ofMinutes(3);

    private MonthEdge() {
    }

    /** Returns once the current UTC day (and so month) has at least {@link #MARGIN} left. */
    public static void awayFromMidnight() {
        Instant now = Instant.now();
        Instant end = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        waitPast(now, end);
    }

    private static void waitPast(Instant now, Instant boundary) {
        if (Duration.between(now, boundary).compareTo(MARGIN) > 0) {
            return;
        }
        long millis = Duration.between(now, boundary).toMillis() + 1_000;
        System.err.println("[MonthEdge] waiting " + millis + " ms for " + boundary + " to pass");
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
