package io.tenantry.agent;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** Every rate override an agent had, per org it served; rows are only added. */
@Repository
class AgentRateHistory {

    private final JdbcClient jdbc;

    AgentRateHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Adds the agent's override in {@code orgId} from {@code at}, or from just after its latest
     * row there ({@link Timestamps#after}): the caller holds the agent's row, so the rows' order
     * is the order its changes committed in (an edit begun before a move but committed after
     * it comes after the move's row), and the last row is the override the agent shows.
     */
    void record(OrgScope scope, UUID agentId, UUID orgId, BigDecimal override, Instant at) {
        scope.requireWritable(orgId);
        Instant latest = jdbc.sql("select max(effective_at) as latest from agent_rate_history"
                + " where org_id = :orgId and agent_id = :agentId").param("orgId", orgId).param("agentId", agentId)
                .query((rs, row) -> Timestamps.read(rs, "latest")).optional().orElse(null);
        jdbc.sql("""
                insert into agent_rate_history (id, org_id, agent_id, rate, effective_at)
                values (:id, :orgId, :agentId, :rate, :at)
                """)
                .param("id", UUID.randomUUID()).param("orgId", orgId).param("agentId", agentId)
                .param("rate", override).param("at", Timestamps.of(Timestamps.after(latest, at))).update();
    }

    /** Overrides recorded in the orgs of {@code scope} before {@code before}, oldest first. */
    List<AgentRate> of(OrgScope scope, Instant before) {
        return jdbc.sql("select org_id, agent_id, rate, effective_at from agent_rate_history where effective_at < :before"
                + " and " + scope.sql("org_id") + " order by org_id, agent_id, effective_at, id")
                .param("before", Timestamps.of(before)).params(scope.parameters())
                .query((rs, row) -> new AgentRate(rs.getObject("agent_id", UUID.class),
                        rs.getObject("org_id", UUID.class), rs.getBigDecimal("rate"),
                        Timestamps.read(rs, "effective_at")))
                .list();
    }
}
