package io.tenantry.agent;

import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.agent.DepartedAgents.Table;
import io.tenantry.tenancy.OrgScope;

/** The tables behind {@link DepartedAgents}: one per feature, of one shape (V45). */
@Repository
class DepartedAgentRepository {

    private final JdbcClient jdbc;

    DepartedAgentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void departed(Table table, OrgScope scope, UUID orgId, UUID itemId, UUID agentId, boolean switchedOff) {
        scope.requireWritable(orgId);
        jdbc.sql("insert into " + table.name() + " (org_id, " + table.itemColumn() + ", agent_id, switched_off)"
                + " values (:org, :item, :agent, :off) on conflict do nothing").param("org", orgId)
                .param("item", itemId).param("agent", agentId).param("off", switchedOff).update();
        if (switchedOff) {
            // Off is the item's state, not one agent's: every departure keeps it, so that it
            // outlives the row of an agent deleted (its rows go with it) while others are away.
            jdbc.sql("update " + table.name() + " set switched_off = true where " + table.itemColumn() + " = :item"
                    + " and " + scope.sql("org_id")).param("item", itemId).params(scope.parameters()).update();
        }
    }

    /** The items of {@code orgId} that named {@code agentId} when it left, in id order (the order of their locks). */
    List<UUID> of(Table table, OrgScope scope, UUID orgId, UUID agentId) {
        return jdbc.sql("select " + table.itemColumn() + " from " + table.name()
                + " where agent_id = :agent and org_id = :org and " + scope.sql("org_id") + " order by 1")
                .param("agent", agentId).param("org", orgId).params(scope.parameters()).query(UUID.class).list();
    }

    boolean remembers(Table table, OrgScope scope, UUID itemId, UUID agentId) {
        return jdbc.sql("select count(*) from " + table.name() + " where " + table.itemColumn() + " = :item and "
                + "agent_id = :agent and " + scope.sql("org_id")).param("item", itemId).param("agent", agentId)
                .params(scope.parameters()).query(Long.class).single() > 0;
    }

    /** Whether some agent's leaving switched the item off, and nothing has switched it on since. */
    boolean switchedOff(Table table, OrgScope scope, UUID itemId) {
        return jdbc.sql("select count(*) from " + table.name() + " where " + table.itemColumn() + " = :item and "
                + "switched_off and " + scope.sql("org_id")).param("item", itemId).params(scope.parameters())
                .query(Long.class).single() > 0;
    }

    /** The item is on again: no departure holds it off any more. */
    void switchedOn(Table table, OrgScope scope, UUID itemId) {
        jdbc.sql("update " + table.name() + " set switched_off = false where " + table.itemColumn() + " = :item and "
                + scope.sql("org_id")).param("item", itemId).params(scope.parameters()).update();
    }

    /** Forgets whom the item named before they left: all of them ({@code agentId} null), or one. */
    void forget(Table table, OrgScope scope, UUID itemId, UUID agentId) {
        jdbc.sql("delete from " + table.name() + " where " + table.itemColumn() + " = :item"
                + (agentId == null ? "" : " and agent_id = :agent") + " and " + scope.sql("org_id"))
                .param("item", itemId).param("agent", agentId).params(scope.parameters()).update();
    }
}
