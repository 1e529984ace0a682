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

    void record(Assignment assignment) {
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

    /**
     * The org that held the agent at {@code at}; for a time before the agent existed, the
     * org it was created in. Empty only for an agent this history has never seen.
     */
    java.util.Optional<UUID> orgAt(OrgScope scope, UUID agentId, java.time.Instant at) {
        java.util.Optional<UUID> holder = jdbc.sql("select org_id from agent_assignments where agent_id = :agentId "
                + "and assigned_at <= :at and " + scope.sql("org_id") + " order by assigned_at desc limit 1")
                .param("agentId", agentId).param("at", Timestamps.of(at)).params(scope.parameters())
                .query(UUID.class).optional();
        return holder.isPresent() ? holder : jdbc.sql("select org_id from agent_assignments where agent_id = :agentId "
                + "and " + scope.sql("org_id") + " order by assigned_at limit 1")
                .param("agentId", agentId).params(scope.parameters()).query(UUID.class).optional();
    }

    CursorPage<Assignment> of(OrgScope scope, UUID agentId, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from agent_assignments where agent_id = :agentId and (")
                .append(scope.sql("org_id")).append(" or ").append(scope.sql("from_org_id")).append(")");
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("agentId", agentId);
        if (!page.first()) {
            sql.append(" and (assigned_at < :afterAt or (assigned_at = :afterAt and id < :afterId))");
            params.put("afterAt", Timestamps.of(page.afterInstant(0)));
            params.put("afterId", page.afterId(1));
        }
        sql.append(" order by assigned_at desc, id desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<Assignment> rows = jdbc.sql(sql.toString()).params(params).query(AssignmentHistory::map).list();
        CursorPage<Assignment> found = page.page(rows, a -> new String[] {a.assignedAt().toString(), a.id().toString()});
        return new CursorPage<>(found.items().stream().map(a -> a.seenFrom(scope)).toList(), found.nextCursor());
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
