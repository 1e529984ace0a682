package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.billing.BillingMonth;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Statements of closed months, frozen as they were when the month closed: per org and
 * per agent, with the rates, currency, exchange rate and names used then. Only inserted.
 */
@Repository
class StatementArchive {

    private static final TypeReference<List<Statement.ModelCost>> MODEL_COSTS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batch;
    private final JsonMapper json;

    StatementArchive(JdbcClient jdbc, NamedParameterJdbcTemplate batch, JsonMapper json) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.json = json;
    }

    void save(OrgScope scope, List<Statement> statements, Instant closedAt) {
        List<SqlParameterSource> heads = new ArrayList<>();
        List<SqlParameterSource> lines = new ArrayList<>();
        for (Statement s : statements) {
            scope.requireWritable(s.orgId());
            heads.add(new MapSqlParameterSource().addValue("orgId", s.orgId())
                    .addValue("month", BillingMonth.date(YearMonth.parse(s.month()))).addValue("orgName", s.orgName())
                    .addValue("currency", s.currency()).addValue("proration", s.proration()).addValue("fxRate", s.fxRate())
                    .addValue("revenue", s.revenue()).addValue("costUsd", s.costUsd()).addValue("cost", s.cost())
                    .addValue("margin", s.margin()).addValue("input", s.inputTokens())
                    .addValue("output", s.outputTokens()).addValue("cached", s.cachedInputTokens())
                    .addValue("unpriced", s.unpricedTokens()).addValue("repriced", s.repricedTokens())
                    .addValue("budget", s.monthlyBudget())
                    .addValue("warnings", String.join("\n", s.warnings())).addValue("closedAt", Timestamps.of(closedAt)));
            int lineNo = 0;
            for (Statement.Line line : s.lines()) {
                lines.add(new MapSqlParameterSource().addValue("orgId", s.orgId())
                        .addValue("month", BillingMonth.date(YearMonth.parse(s.month()))).addValue("lineNo", ++lineNo)
                        .addValue("agentId", line.agentId()).addValue("agentName", line.agentName())
                        .addValue("usageMonth", line.usageMonth() == null ? null
                                : BillingMonth.date(YearMonth.parse(line.usageMonth())))
                        .addValue("rate", line.rate()).addValue("days", line.daysBilled())
                        .addValue("revenue", line.revenue()).addValue("costUsd", line.costUsd())
                        .addValue("cost", line.cost()).addValue("input", line.inputTokens())
                        .addValue("output", line.outputTokens()).addValue("cached", line.cachedInputTokens())
                        .addValue("unpriced", line.unpricedTokens()).addValue("repriced", line.repricedTokens())
                        .addValue("models", json.writeValueAsString(line.costByModel())));
            }
        }
        batch.batchUpdate("""
                insert into billing_statements (org_id, billing_month, org_name, currency, proration, fx_rate, revenue,
                    cost_usd, cost, margin, input_tokens, output_tokens, cached_input_tokens, unpriced_tokens,
                    repriced_tokens, monthly_budget, warnings, closed_at)
                values (:orgId, :month, :orgName, :currency, :proration, :fxRate, :revenue, :costUsd, :cost, :margin,
                    :input, :output, :cached, :unpriced, :repriced, :budget, :warnings, :closedAt)
                """, heads.toArray(SqlParameterSource[]::new));
        batch.batchUpdate("""
                insert into billing_statement_lines (org_id, billing_month, line_no, agent_id, agent_name, usage_month, rate,
                    days_billed, revenue, cost_usd, cost, input_tokens, output_tokens, cached_input_tokens,
                    unpriced_tokens, repriced_tokens, cost_by_model)
                values (:orgId, :month, :lineNo, :agentId, :agentName, :usageMonth, :rate, :days, :revenue, :costUsd,
                    :cost, :input, :output, :cached, :unpriced, :repriced, :models)
                """, lines.toArray(SqlParameterSource[]::new));
    }

    /**
     * The frozen statements of the orgs of {@code scope} for months in [from, to], newest
     * first; the org's name is its name when the month closed.
     */
    List<Statement> of(OrgScope scope, YearMonth from, YearMonth to, boolean withLines) {
        String where = " where s.billing_month >= :from and s.billing_month <= :to and " + scope.sql("s.org_id");
        Map<String, List<Statement.Line>> lines = new HashMap<>();
        if (withLines) {
            jdbc.sql("select * from billing_statement_lines s" + where + " order by s.org_id, s.billing_month, s.line_no")
                    .params(params(scope, from, to))
                    .query(rs -> {
                        lines.computeIfAbsent(rs.getObject("org_id", UUID.class) + "|" + month(rs),
                                k -> new ArrayList<>()).add(line(rs));
                    });
        }
        return jdbc.sql("select s.*, coalesce(s.org_name, o.name, '(deleted organization)') shown_name,"
                + " (select count(*) from billing_statement_lines l"
                + " where l.org_id = s.org_id and l.billing_month = s.billing_month and l.rate is not null) agents_billed"
                + " from billing_statements s left join organizations o on o.id = s.org_id" + where
                + " order by shown_name, s.org_id, s.billing_month desc")
                .params(params(scope, from, to))
                .query((rs, row) -> statement(rs, withLines ? lines.getOrDefault(rs.getObject("org_id", UUID.class)
                        + "|" + month(rs), List.of()) : null))
                .list();
    }

    private static Map<String, Object> params(OrgScope scope, YearMonth from, YearMonth to) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("from", BillingMonth.date(from));
        params.put("to", BillingMonth.date(to));
        return params;
    }

    private static String month(ResultSet rs) throws SQLException {
        return YearMonth.from(rs.getObject("billing_month", LocalDate.class)).toString();
    }

    private static Statement statement(ResultSet rs, List<Statement.Line> lines) throws SQLException {
        BigDecimal cost = rs.getBigDecimal("cost");
        BigDecimal costUsd = rs.getBigDecimal("cost_usd");
        BigDecimal fxRate = rs.getBigDecimal("fx_rate");
        BigDecimal budget = rs.getBigDecimal("monthly_budget");
        String warnings = rs.getString("warnings");
        return new Statement(rs.getObject("org_id", UUID.class), rs.getString("shown_name"), month(rs),
                rs.getString("currency").trim(), rs.getString("proration"), true, rs.getBigDecimal("revenue"), cost,
                costUsd, fxRate, rs.getBigDecimal("margin"),
                rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
                rs.getLong("unpriced_tokens"), rs.getLong("repriced_tokens"), rs.getInt("agents_billed"), budget,
                // From the exact cost, as when the month was open: the rounded one can read as at or
                // under a budget the month went past.
                StatementBuilder.budgetUsed(fxRate == null ? null : costUsd.multiply(fxRate), budget),
                List.of(), warnings.isEmpty() ? List.of() : Arrays.asList(warnings.split("\n")), lines);
    }

    private Statement.Line line(ResultSet rs) throws SQLException {
        LocalDate usageMonth = rs.getObject("usage_month", LocalDate.class);
        return new Statement.Line(rs.getObject("agent_id", UUID.class), rs.getString("agent_name"),
                usageMonth == null ? "agent" : "adjustment", usageMonth == null ? null : YearMonth.from(usageMonth)
                        .toString(), rs.getBigDecimal("rate"), (Integer) rs.getObject("days_billed", Integer.class),
                rs.getBigDecimal("revenue"), rs.getBigDecimal("cost_usd"), rs.getBigDecimal("cost"),
                rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
                rs.getLong("unpriced_tokens"), rs.getLong("repriced_tokens"),
                json.readValue(rs.getString("cost_by_model"), MODEL_COSTS));
    }
}
