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

/**
 * Budget thresholds crossed: an org's by its cost, once per org, month and threshold; and an
 * agent's by its own cost in its org, once per agent, month and threshold.
 */
@Repository
class BudgetAlerts {

    /** One crossing, as the API shows it. */
    @Schema(name = "BudgetAlert")
    record Alert(@Always UUID orgId,
            @Always @Schema(description = "The agent whose own monthly budget this is; null for the organization's "
                    + "budget.", nullable = true) UUID agentId,
            @Always String month, int threshold, @Always Instant crossedAt, @Always BigDecimal cost,
            @Always BigDecimal budget, @Always String currency) {
    }

    /** The orgs' own crossings, in the shape of the agents' (no agent). */
    private static final String ORG_ALERTS = "select cast(null as uuid) as agent_id, b.* from budget_alerts b";
    private static final String ORG_ORDER = "org_id, billing_month, threshold";

    private final JdbcClient jdbc;

    BudgetAlerts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the crossing unless it was recorded already; answers whether it is new. */
    boolean record(OrgScope scope, Alert alert) {
        scope.requireWritable(alert.orgId());
        String insert = alert.agentId() == null ? """
                insert into budget_alerts (org_id, billing_month, threshold, crossed_at, cost, budget, currency)
                values (:orgId, :month, :threshold, :at, :cost, :budget, :currency)
                on conflict do nothing
                """ : """
                insert into agent_budget_alerts (org_id, agent_id, billing_month, threshold, crossed_at, cost, budget,
                                                 currency)
                values (:orgId, :agentId, :month, :threshold, :at, :cost, :budget, :currency)
                on conflict do nothing
                """;
        return jdbc.sql(insert).param("orgId", alert.orgId()).param("agentId", alert.agentId())
                .param("month", BillingMonth.date(YearMonth.parse(alert.month())))
                .param("threshold", alert.threshold()).param("at", Timestamps.of(alert.crossedAt()))
                .param("cost", alert.cost()).param("budget", alert.budget()).param("currency", alert.currency())
                .update() == 1;
    }

    /** The org's crossings, then each agent's (by agent id), each by month and threshold. */
    List<Alert> of(OrgScope scope, YearMonth from, YearMonth to) {
        List<Alert> all = new ArrayList<>(read(scope, from, to, ORG_ALERTS, ORG_ORDER));
        all.addAll(read(scope, from, to, "select * from agent_budget_alerts",
                "org_id, agent_id, billing_month, threshold"));
        return all;
    }

    private List<Alert> read(OrgScope scope, YearMonth from, YearMonth to, String select, String order) {
        return jdbc.sql(select + " where billing_month >= :from and billing_month <= :to and " + scope.sql("org_id")
                + " order by " + order)
                .param("from", BillingMonth.date(from)).param("to", BillingMonth.date(to))
                .params(scope.parameters())
                .query((rs, row) -> new Alert(rs.getObject("org_id", UUID.class), rs.getObject("agent_id", UUID.class),
                        YearMonth.from(rs.getObject("billing_month", LocalDate.class)).toString(), rs.getInt("threshold"),
                        Timestamps.read(rs, "crossed_at"), rs.getBigDecimal("cost"), rs.getBigDecimal("budget"),
                        rs.getString("currency").trim()))
                .list();
    }

    /** The thresholds of the orgs' own budgets crossed, per org and month ("orgId|YYYY-MM"). */
    Map<String, List<Integer>> crossed(OrgScope scope, YearMonth from, YearMonth to) {
        Map<String, List<Integer>> crossed = new HashMap<>();
        for (Alert alert : read(scope, from, to, ORG_ALERTS, ORG_ORDER)) {
            crossed.computeIfAbsent(alert.orgId() + "|" + alert.month(), k -> new ArrayList<>()).add(alert.threshold());
        }
        return crossed;
    }
}
