package io.tenantry.agent;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.organization.DeletionCheck;
import io.tenantry.organization.OrgDeletionGuard;
import io.tenantry.organization.OrgMembers;
import io.tenantry.tenancy.OrgScope;

/** What the organization feature may know of agents: the assigned list, their own amounts, and delete blocking. */
@Component
class AgentOrgMembers implements OrgMembers, OrgDeletionGuard {

    private final AgentRepository agents;

    AgentOrgMembers(AgentRepository agents) {
        this.agents = agents;
    }

    @Override
    public List<AssignedAgent> agentsOf(OrgScope scope, UUID orgId, int limit) {
        return agents.inOrg(scope, orgId, limit).stream()
                .map(a -> new AssignedAgent(a.id(), a.name(), a.email(), a.status(), a.effectiveStatus(),
                        a.effectiveBillingRate()))
                .toList();
    }

    @Override
    public List<String> withOwnAmounts(OrgScope scope, UUID orgId, int limit) {
        return agents.namesWithOwnAmounts(scope, orgId, limit);
    }

    @Override
    public Optional<DeletionCheck.Obstacle> obstacleToDeletion(OrgScope scope, UUID orgId) {
        long count = agents.countIn(scope, orgId);
        return count == 0 ? Optional.empty()
                : Optional.of(new DeletionCheck.Obstacle("agents", count, "This organization has " + count
                        + (count == 1 ? " agent" : " agents") + " assigned: unassign all agents first."));
    }
}
