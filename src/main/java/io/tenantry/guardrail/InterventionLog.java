package io.tenantry.guardrail;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** The interventions of each org, appended and never changed. */
@Repository
class InterventionLog {

    /** What a list may be narrowed to; null means any. */
    record Filter(UUID agentId, UUID ruleId, String action, Instant from, Instant to) {
    }

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batch;

    InterventionLog(JdbcClient jdbc, NamedParameterJdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    void append(OrgScope scope, List<Intervention> interventions) {
        interventions.forEach(i -> scope.requireWritable(i.orgId()));
        SqlParameterSource[] rows = interventions.stream().map(i -> new MapSqlParameterSource()
                .addValue("id", i.id()).addValue("org", i.orgId()).addValue("agent", i.agentId())
                .addValue("rule", i.ruleId()).addValue("version", i.ruleVersion()).addValue("name", i.ruleName())
                .addValue("type", i.ruleType()).addValue("action", i.action()).addValue("mode", i.mode())
                .addValue("severity", i.severity()).addValue("direction", i.direction())
                .addValue("decision", i.decision()).addValue("evidence", i.evidence())
                .addValue("occurrences", i.occurrences()).addValue("actor", i.actor())
                .addValue("at", Timestamps.of(i.createdAt()))).toArray(SqlParameterSource[]::new);
        batch.batchUpdate("""
                insert into interventions (id, org_id, agent_id, rule_id, rule_version, rule_name, rule_type, action,
                                           mode, severity, direction, decision, evidence, occurrences, actor,
                                           created_at)
                values (:id, :org, :agent, :rule, :version, :name, :type, :action, :mode, :severity, :direction,
                        :decision, :evidence, :occurrences, :actor, :at)
                """, rows);
    }

    /** How many interventions the filter matches, counting no further than {@code atMost} + 1. */
    long count(OrgScope scope, Filter filter, int atMost) {
        StringBuilder sql = new StringBuilder("select count(*) from (select 1 from interventions where ")
                .append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        narrow(sql, params, filter);
        sql.append(" limit :cap) matching");
        params.put("cap", atMost + 1);
        return jdbc.sql(sql.toString()).params(params).query(Long.class).single();
    }

    private static void narrow(StringBuilder sql, Map<String, Object> params, Filter filter) {
        if (filter.agentId() != null) {
            sql.append(" and agent_id = :agent");
            params.put("agent", filter.agentId());
        }
        if (filter.ruleId() != null) {
            sql.append(" and rule_id = :rule");
            params.put("rule", filter.ruleId());
        }
        if (filter.action() != null) {
            sql.append(" and action = :action");
            params.put("action", filter.action());
        }
        if (filter.from() != null) {
            sql.append(" and created_at >= :from");
            params.put("from", Timestamps.of(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" and created_at < :to");
            params.put("to", Timestamps.of(filter.to()));
        }
    }

    /**
     * Newest first, each with its agent's name and status while the agent is still in the
     * org the entry belongs to (a moved agent's new org is none of this log's business).
     */
    CursorPage<Intervention> list(OrgScope scope, Filter filter, PageRequest page) {
        StringBuilder sql = new StringBuilder("select i.*, a.name as agent_name, a.status as agent_status,"
                + " a.paused_by as agent_paused_by from (select * from interventions where ")
                .append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        narrow(sql, params, filter);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (created_at < :afterAt or (created_at = :afterAt and id < :afterId))");
            params.put("afterAt", Timestamps.of(after.instant(0)));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by created_at desc, id desc limit :limit) i left join agents a on a.id = i.agent_id"
                + " and a.org_id = i.org_id order by i.created_at desc, i.id desc");
        params.put("limit", page.limit() + 1);
        List<Intervention> rows = jdbc.sql(sql.toString()).params(params).query((rs, n) -> new Intervention(
                rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                rs.getObject("agent_id", UUID.class), rs.getObject("rule_id", UUID.class),
                (Integer) rs.getObject("rule_version"), rs.getString("rule_name"), rs.getString("rule_type"),
                rs.getString("action"), rs.getString("mode"), rs.getString("severity"), rs.getString("direction"),
                rs.getString("decision"), rs.getString("evidence"), (Integer) rs.getObject("occurrences"),
                rs.getString("actor"), Timestamps.read(rs, "created_at"), rs.getString("agent_name"),
                rs.getString("agent_status"), rs.getString("agent_paused_by")))
                .list();
        return page.page(rows, i -> new String[] {i.createdAt().toString(), i.id().toString()});
    }

    /** A rule's hits in one mode on each of a run of days. */
    record RuleHits(UUID ruleId, UUID orgId, String ruleName, String ruleType, String mode, long[] daily) {
    }

    /**
     * The rules' hits per organization and mode on each day of {@code days} (each [start, next
     * start)), the busiest first, at most {@code atMost} rows. A person's actions name no rule
     * and are not counted. One pass over the range, whatever the number of days.
     */
    List<RuleHits> hitsByDay(OrgScope scope, List<Instant> days, Instant end, int atMost) {
        StringBuilder sql = new StringBuilder("select rule_id, org_id, max(rule_name) as rule_name, max(rule_type) as "
                + "rule_type, mode");
        Map<String, Object> params = new HashMap<>(scope.parameters());
        for (int d = 0; d < days.size(); d++) {
            sql.append(", sum(case when created_at >= :d").append(d).append(" and created_at < :")
                    .append(d + 1 < days.size() ? "d" + (d + 1) : "end").append(" then 1 else 0 end) as day")
                    .append(d);
            params.put("d" + d, Timestamps.of(days.get(d)));
        }
        params.put("end", Timestamps.of(end));
        sql.append(", count(*) as total from interventions where ").append(scope.sql("org_id"))
                .append(" and rule_id is not null and created_at >= :d0 and created_at < :end")
                .append(" group by rule_id, org_id, mode order by total desc, rule_id, org_id limit :cap");
        params.put("cap", atMost);
        return jdbc.sql(sql.toString()).params(params).query((rs, n) -> {
            long[] daily = new long[days.size()];
            for (int d = 0; d < daily.length; d++) {
                daily[d] = rs.getLong("day" + d);
            }
            return new RuleHits(rs.getObject("rule_id", UUID.class), rs.getObject("org_id", UUID.class),
                    rs.getString("rule_name"), rs.getString("rule_type"), rs.getString("mode"), daily);
        }).list();
    }
}
