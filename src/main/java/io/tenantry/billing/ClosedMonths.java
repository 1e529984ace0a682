package io.tenantry.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.Pipeline;

/** The closed months table. Platform data: no org scope applies. */
@Repository
class ClosedMonths {

    private final JdbcClient jdbc;

    ClosedMonths(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    private static final String LATEST =
            "select billing_month from billing_closed_months order by billing_month desc limit 1";

    Optional<YearMonth> latest() {
        return jdbc.sql(LATEST).query(LocalDate.class).optional().map(YearMonth::from);
    }

    Pipeline.Result<Optional<YearMonth>> latest(Pipeline pipeline) {
        return pipeline.query(LATEST, Map.of(), rs -> rs.next()
                ? Optional.of(YearMonth.from(rs.getObject(1, LocalDate.class))) : Optional.empty());
    }

    void add(YearMonth month, Instant at, String by) {
        jdbc.sql("insert into billing_closed_months (billing_month, closed_at, closed_by) values (:month, :at, :by)")
                .param("month", BillingMonth.date(month)).param("at", Timestamps.of(at)).param("by", by).update();
    }
}
