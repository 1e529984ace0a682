package io.tenantry.gateway;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;

/** gateway_reservations, and the lock that orders an org's reservations one after the other. */
@Repository
class BudgetHoldRepository {

    /** A round's sum of the org's holds; on PostgreSQL through V37's function, whose plan skips released holds. */
    private final String heldQuery;
    private final JdbcClient jdbc;

    BudgetHoldRepository(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.heldQuery = vendor == DatabaseVendor.POSTGRESQL
                ? "select org_held, agent_held, stale from gateway_holds_held(:org, :agent, :since) h where "
                : "select coalesce(sum(case when held_at >= :since then amount_usd end), 0) as org_held,"
                        + " coalesce(sum(case when held_at >= :since and agent_id = :agent then amount_usd end), 0)"
                        + " as agent_held, count(case when held_at < :since then 1 end) as stale"
                        + " from gateway_reservations h where org_id = :org and ";
    }

    /**
     * Locks the org's gateway settings row until the transaction ends and answers its budget
     * enforcement; empty when the org has no row (the defaults: alert).
     */
    Pipeline.Result<Optional<String>> lockEnforcement(Pipeline pipeline, OrgScope scope, UUID orgId) {
        return pipeline.query("select budget_enforcement from gateway_org_settings where org_id = :org and "
                + scope.sql("org_id") + " for update", params(scope, orgId),
                rs -> rs.next() ? Optional.of(rs.getString(1)) : Optional.empty());
    }

    /** What calls in flight hold, in USD, for the org and for one agent; and how many holds are stale. */
    record Held(BigDecimal orgUsd, BigDecimal agentUsd, long stale) {
    }

    /** Holds from before {@code since} count as stale, not as held: their calls' nodes died. */
    Pipeline.Result<Held> held(Pipeline pipeline, OrgScope scope, UUID orgId, UUID agentId, Instant since) {
        Map<String, Object> params = params(scope, orgId);
        params.put("agent", agentId);
        params.put("since", Timestamps.of(since));
        return pipeline.query(heldQuery + scope.sql("h.org_id"), params, rs -> {
                    rs.next();
                    return new Held(rs.getBigDecimal("org_held"), rs.getBigDecimal("agent_held"), rs.getLong("stale"));
                });
    }

    /** Removes the org's holds older than {@code before}: their calls' nodes died. */
    void sweep(Pipeline pipeline, OrgScope scope, UUID orgId, Instant before) {
        Map<String, Object> params = params(scope, orgId);
        params.put("before", Timestamps.of(before));
        pipeline.statement("delete from gateway_reservations where org_id = :org and held_at < :before and "
                + scope.sql("org_id"), params);
    }

    void insert(Pipeline pipeline, OrgScope scope, UUID id, UUID orgId, UUID agentId, BigDecimal amountUsd,
            Instant at) {
        scope.requireWritable(orgId);
        Map<String, Object> params = params(scope, orgId);
        params.put("id", id);
        params.put("agent", agentId);
        params.put("amount", amountUsd);
        params.put("at", Timestamps.of(at));
        pipeline.statement("""
                insert into gateway_reservations (id, org_id, agent_id, amount_usd, held_at)
                values (:id, :org, :agent, :amount, :at)
                """, params);
    }

    private static Map<String, Object> params(OrgScope scope, UUID orgId) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        return params;
    }

    void renew(OrgScope scope, UUID id, Instant at) {
        jdbc.sql("update gateway_reservations set held_at = :at where id = :id and " + scope.sql("org_id"))
                .param("id", id).param("at", Timestamps.of(at)).params(scope.parameters()).update();
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from gateway_reservations where id = :id and " + scope.sql("org_id")).param("id", id)
                .params(scope.parameters()).update();
    }
}
