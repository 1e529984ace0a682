package io.tenantry.billing.pricing;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;

/** Exchange rates by currency and month. Platform settings: no org scope applies. */
@Repository
class FxRateRepository {

    /** Six currencies over a century of months: every entry fits one answer. */
    static final int MAX_ENTRIES = 10_000;

    private final JdbcClient jdbc;

    FxRateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<FxRate> all() {
        return jdbc.sql("select * from fx_rates order by currency, effective_month desc limit :limit")
                .param("limit", MAX_ENTRIES).query(FxRateRepository::map).list();
    }

    Optional<FxRate> find(String currency, YearMonth month) {
        return jdbc.sql("select * from fx_rates where currency = :currency and effective_month = :month")
                .param("currency", currency).param("month", Date.valueOf(month.atDay(1)))
                .query(FxRateRepository::map).optional();
    }

    void save(FxRate rate, boolean exists) {
        String sql = exists
                ? "update fx_rates set rate = :rate, updated_at = :at, updated_by = :by "
                        + "where currency = :currency and effective_month = :month"
                : "insert into fx_rates (currency, effective_month, rate, updated_at, updated_by) "
                        + "values (:currency, :month, :rate, :at, :by)";
        jdbc.sql(sql).param("currency", rate.currency()).param("month", Date.valueOf(rate.effectiveFrom().atDay(1)))
                .param("rate", rate.rate()).param("at", Timestamps.of(rate.updatedAt()))
                .param("by", rate.updatedBy()).update();
    }

    private static FxRate map(ResultSet rs, int row) throws SQLException {
        return new FxRate(rs.getString("currency").trim(),
                YearMonth.from(rs.getObject("effective_month", java.time.LocalDate.class)), rs.getBigDecimal("rate"),
                Timestamps.read(rs, "updated_at"), rs.getString("updated_by"));
    }
}
