package io.tenantry.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Optional;

import org.springframework.stereotype.Service;

import io.tenantry.tenancy.Pipeline;

/**
 * Which billing months are closed: always every month up to the latest closed one, so a
 * month is open exactly when it comes after that. Usage, rerating, statements and closing
 * all ask here. Platform data, read inside the caller's transaction.
 */
@Service
public class BillingCalendar {

    private final ClosedMonths closedMonths;

    BillingCalendar(ClosedMonths closedMonths) {
        this.closedMonths = closedMonths;
    }

    /** The latest closed month, if any month is closed. */
    public Optional<YearMonth> closedThrough() {
        return closedMonths.latest();
    }

    /** The same, read with the other statements of {@code pipeline}. */
    public Pipeline.Result<Optional<YearMonth>> closedThrough(Pipeline pipeline) {
        return closedMonths.latest(pipeline);
    }

    public boolean isClosed(YearMonth month) {
        return closedThrough().filter(closed -> !month.isAfter(closed)).isPresent();
    }

    /** The month usage that happened in {@code month} is billed in: itself, or the first open month. */
    public static YearMonth billedMonth(YearMonth month, Optional<YearMonth> closedThrough) {
        return closedThrough.filter(closed -> !month.isAfter(closed)).map(closed -> closed.plusMonths(1))
                .orElse(month);
    }

    /** Records {@code month} as closed; the caller closes the months before it first. */
    public void markClosed(YearMonth month, Instant at, String by) {
        closedMonths.add(month, at, by);
    }
}
