package io.tenantry.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;

/** Which months are closed: always every month up to the latest closed one. Platform data. */
@Repository
class ClosedMonths {

    private final JdbcClient jdbc;

    ClosedMonths(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<YearMonth> latest() {
        return jdbc.sql("select billing_month from billing_closed_months order by billing_month desc limit 1").query(LocalDate.class).optional()
                .map(YearMonth::from);
    }

    boolean isClosed(YearMonth month) {
        return latest().filter(closed -> !month.isAfter(closed)).isPresent();
    }

    /** The month usage that happened in {@code month} is billed in: itself, or the first open month. */
    static YearMonth billedMonth(YearMonth month, Optional<YearMonth> closedThrough) {
        return closedThrough.filter(closed -> !month.isAfter(closed)).map(closed -> closed.plusMonths(1))
                .orElse(month);
    }

    void add(YearMonth month, Instant at, String by) {
        jdbc.sql("insert into billing_closed_months (billing_month, closed_at, closed_by) values (:month, :at, :by)")
                .param("month", BillingMonth.date(month)).param("at", Timestamps.of(at)).param("by", by).update();
    }
}
