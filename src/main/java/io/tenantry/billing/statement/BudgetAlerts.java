package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;
import io.tenantry.billing.BillingMonth;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** Budget thresholds an org crossed, once per org, month and threshold. */
@Repository
class BudgetAlerts {

    /** One crossing, as the API shows it. */
    @Schema(name = "BudgetAlert")
    record Alert(@Always UUID orgId, @Always String month, int threshold, @Always Instant crossedAt, @Always BigDecimal cost, @Always BigDecimal budget,
            @Always String currency) {
    }

    private final JdbcClient jdbc;

    BudgetAlerts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the crossing unless it was recorded already; answers whether it is new. */
    boolean record(OrgScope scope, Alert alert) {
        scope.requireWritable(alert.orgId());
        return jdbc.sql("""
                insert into budget_alerts (org_id, billing_month, threshold, crossed_at, cost, budget, currency)
                values (:orgId, :month, :threshold, :at, :cost, :budget, :currency)
                on conflict do nothing
                """)
                .param("orgId", alert.orgId()).param("month", BillingMonth.date(YearMonth.parse(alert.month())))
                .param("threshold", alert.threshold()).param("at", Timestamps.of(alert.crossedAt()))
                .param("cost", alert.cost()).param("budget", alert.budget()).param("currency", alert.currency())
                .update() == 1;
    }

    List<Alert> of(OrgScope scope, YearMonth from, YearMonth to) {
        return jdbc.sql("select * from budget_alerts where billing_month >= :from and billing_month <= :to"
                + " and " + scope.sql("org_id")
                + " order by org_id, billing_month, threshold")
                .param("from", BillingMonth.date(from)).param("to", BillingMonth.date(to))
                .params(scope.parameters())
                .query((rs, row) -> new Alert(rs.getObject("org_id", UUID.class),
                        YearMonth.from(rs.getObject("billing_month", LocalDate.class)).toString(), rs.getInt("threshold"),
                        Timestamps.read(rs, "crossed_at"), rs.getBigDecimal("cost"), rs.getBigDecimal("budget"),
                        rs.getString("currency").trim()))
                .list();
    }

    /** The thresholds crossed, per org and month ("orgId|YYYY-MM"). */
    Map<String, List<Integer>> crossed(OrgScope scope, YearMonth from, YearMonth to) {
        Map<String, List<Integer>> crossed = new HashMap<>();
        for (Alert alert : of(scope, from, to)) {
            crossed.computeIfAbsent(alert.orgId() + "|" + alert.month(), k -> new ArrayList<>()).add(alert.threshold());
        }
        return crossed;
    }
}
