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

    void record(OrgScope scope, UUID agentId, UUID orgId, BigDecimal override, Instant at) {
        scope.requireWritable(orgId);
        jdbc.sql("""
                insert into agent_rate_history (id, org_id, agent_id, rate, effective_at)
                values (:id, :orgId, :agentId, :rate, :at)
                """)
                .param("id", UUID.randomUUID()).param("orgId", orgId).param("agentId", agentId)
                .param("rate", override).param("at", Timestamps.of(at)).update();
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
