package io.tenantry.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;

/** The closed months table. Platform data: no org scope applies. */
@Repository
class ClosedMonths {

    private final JdbcClient jdbc;

    ClosedMonths(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<YearMonth> latest() {
        return jdbc.sql("select billing_month from billing_closed_months order by billing_month desc limit 1")
                .query(LocalDate.class).optional().map(YearMonth::from);
    }

    void add(YearMonth month, Instant at, String by) {
        jdbc.sql("insert into billing_closed_months (billing_month, closed_at, closed_by) values (:month, :at, :by)")
                .param("month", BillingMonth.date(month)).param("at", Timestamps.of(at)).param("by", by).update();
    }
}
