package io.tenantry.agent;

import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.tenancy.OrgScope;

/**
 * What an item that names agents (a guardrail rule, a policy) remembers of the agents it
 * named that left its organization, so that their return names them again (V45). Each
 * feature keeps a table of the same shape (org_id, the item's id, agent_id, switched_off)
 * and names it here; a deleted agent's rows go with it. Called inside the feature's
 * transaction, in its scope.
 */
@Service
public class DepartedAgents {

    /** A feature's table, and the column of its items' ids. Constants of the feature, never input. */
    public record Table(String name, String itemColumn) {
    }

    private final DepartedAgentRepository departures;

    DepartedAgents(DepartedAgentRepository departures) {
        this.departures = departures;
    }

    public void departed(Table table, OrgScope scope, UUID orgId, UUID itemId, UUID agentId, boolean switchedOff) {
        departures.departed(table, scope, orgId, itemId, agentId, switchedOff);
    }

    /** The items of {@code orgId} that named {@code agentId} when it left, in id order (the order of their locks). */
    public List<UUID> of(Table table, OrgScope scope, UUID orgId, UUID agentId) {
        return departures.of(table, scope, orgId, agentId);
    }

    /** Whether the item still remembers naming {@code agentId}, read as it is now (under the item's lock). */
    public boolean remembers(Table table, OrgScope scope, UUID itemId, UUID agentId) {
        return departures.remembers(table, scope, itemId, agentId);
    }

    /** Whether some agent's leaving switched the item off, and nothing has switched it on since. */
    public boolean switchedOff(Table table, OrgScope scope, UUID itemId) {
        return departures.switchedOff(table, scope, itemId);
    }

    /** The item is on again: no departure holds it off any more. */
    public void switchedOn(Table table, OrgScope scope, UUID itemId) {
        departures.switchedOn(table, scope, itemId);
    }

    /** Forgets whom the item named before they left: all of them ({@code agentId} null), or one. */
    public void forget(Table table, OrgScope scope, UUID itemId, UUID agentId) {
        departures.forget(table, scope, itemId, agentId);
    }
}
