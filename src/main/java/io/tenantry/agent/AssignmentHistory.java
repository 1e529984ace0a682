package io.tenantry.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;

/**
 * Which org held which agent when. Billing attributes months and usage with it, so rows
 * are only ever added. A row is visible to the org the agent joined and to the one it left.
 */
@Repository
class AssignmentHistory {

    private final JdbcClient jdbc;

    AssignmentHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void record(OrgScope scope, Assignment assignment) {
        scope.requireWritable(assignment.orgId());
        jdbc.sql("""
                insert into agent_assignments (id, org_id, agent_id, kind, from_org_id, assigned_at, actor_id,
                                               actor_label)
                values (:id, :orgId, :agentId, :kind, :fromOrgId, :at, :actorId, :actorLabel)
                """)
                .param("id", assignment.id()).param("orgId", assignment.orgId())
                .param("agentId", assignment.agentId()).param("kind", assignment.kind().name())
                .param("fromOrgId", assignment.kind() == Assignment.Kind.removed ? null : assignment.fromOrgId())
                .param("at", Timestamps.of(assignment.assignedAt())).param("actorId", assignment.actorId())
                .param("actorLabel", assignment.actorLabel()).update();
    }

    /** When the agent's last assignment in scope was recorded, if any. */
    java.util.Optional<java.time.Instant> latestAt(OrgScope scope, UUID agentId) {
        return java.util.Optional.ofNullable(jdbc.sql("select max(assigned_at) from agent_assignments where agent_id"
                + " = :agentId and " + scope.sql("org_id")).param("agentId", agentId).params(scope.parameters())
                .query((rs, n) -> Timestamps.read(rs, 1)).single());
    }

    /** The agents that left this org (moved away, or deleted while in it) after {@code since}. */
    Departures departuresAfter(OrgScope scope, UUID orgId, java.time.Instant since) {
        return jdbc.sql("select count(distinct agent_id), max(assigned_at) from agent_assignments where (from_org_id"
                + " = :org and kind = 'moved' or org_id = :org and kind = 'removed') and assigned_at > :since and ("
                + scope.sql("org_id") + " or " + scope.sql("from_org_id") + ")").param("org", orgId)
                .param("since", Timestamps.of(since)).params(scope.parameters())
                .query((rs, n) -> new Departures(rs.getLong(1), Timestamps.read(rs, 2))).single();
    }

    /** The timelines of these agents; agents without any history are missing from the map. */
    Pipeline.Result<java.util.Map<UUID, OrgTimeline>> timelines(Pipeline pipeline, OrgScope scope,
            java.util.Collection<UUID> agentIds) {
        java.util.Map<String, Object> params = new java.util.HashMap<>(scope.parameters());
        params.put("agentIds", agentIds);
        return pipeline.query("select agent_id, org_id, kind, assigned_at from agent_assignments where agent_id in"
                + " (:agentIds) and " + scope.sql("org_id") + " order by agent_id, assigned_at, id", params, rs -> {
                    java.util.Map<UUID, java.util.List<OrgTimeline.Entry>> entries = new java.util.HashMap<>();
                    while (rs.next()) {
                        entries.computeIfAbsent(rs.getObject("agent_id", UUID.class),
                                id -> new java.util.ArrayList<>()).add(new OrgTimeline.Entry(
                                        Timestamps.read(rs, "assigned_at"), rs.getObject("org_id", UUID.class),
                                        Assignment.Kind.removed.name().equals(rs.getString("kind"))));
                    }
                    java.util.Map<UUID, OrgTimeline> timelines = new java.util.HashMap<>();
                    entries.forEach((agent, list) -> timelines.put(agent, new OrgTimeline(agent,
                            java.util.List.copyOf(list))));
                    return timelines;
                });
    }

    /**
     * Who held which agent when, for the orgs of {@code scope}, from the rows before
     * {@code before}. An org sees each row that moved an agent into or out of it, which is
     * all it needs to know its own holdings.
     */
    List<AgentHolding> holdings(OrgScope scope, java.time.Instant before) {
        List<AgentHolding> holdings = new java.util.ArrayList<>();
        UUID[] agent = {null};
        AgentHolding[] open = {null};
        jdbc.sql("select agent_id, org_id, kind, assigned_at from agent_assignments where assigned_at < :before"
                + " and (" + scope.sql("org_id") + " or " + scope.sql("from_org_id") + ")"
                + " order by agent_id, assigned_at, id")
                .param("before", Timestamps.of(before)).params(scope.parameters())
                .query(rs -> {
                    UUID agentId = rs.getObject("agent_id", UUID.class);
                    java.time.Instant at = Timestamps.read(rs, "assigned_at");
                    if (!agentId.equals(agent[0])) {
                        if (open[0] != null) {
                            holdings.add(open[0]);
                        }
                        agent[0] = agentId;
                        open[0] = null;
                    }
                    if (open[0] != null) {
                        holdings.add(new AgentHolding(agentId, open[0].orgId(), open[0].from(), at));
                    }
                    open[0] = Assignment.Kind.removed.name().equals(rs.getString("kind")) ? null
                            : new AgentHolding(agentId, rs.getObject("org_id", UUID.class), at, null);
                });
        if (open[0] != null) {
            holdings.add(open[0]);
        }
        return holdings.stream().filter(h -> scope.includes(h.orgId())).toList();
    }

    CursorPage<Assignment> of(OrgScope scope, UUID agentId, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from agent_assignments where agent_id = :agentId and (")
                .append(scope.sql("org_id")).append(" or ").append(scope.sql("from_org_id")).append(")");
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("agentId", agentId);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (assigned_at < :afterAt or (assigned_at = :afterAt and id < :afterId))");
            params.put("afterAt", Timestamps.of(after.instant(0)));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by assigned_at desc, id desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<Assignment> rows = jdbc.sql(sql.toString()).params(params).query(AssignmentHistory::map).list();
        CursorPage<Assignment> found = page.page(rows, a -> new String[] {a.assignedAt().toString(), a.id().toString()});
        return found.map(a -> a.seenFrom(scope));
    }

    private static Assignment map(ResultSet rs, int row) throws SQLException {
        Assignment.Kind kind = Assignment.Kind.valueOf(rs.getString("kind"));
        UUID org = rs.getObject("org_id", UUID.class);
        boolean removed = kind == Assignment.Kind.removed;
        return new Assignment(rs.getObject("id", UUID.class), rs.getObject("agent_id", UUID.class), kind,
                removed ? org : rs.getObject("from_org_id", UUID.class), removed ? null : org, false,
                Timestamps.read(rs, "assigned_at"), rs.getObject("actor_id", UUID.class),
                rs.getString("actor_label"));
    }
}
