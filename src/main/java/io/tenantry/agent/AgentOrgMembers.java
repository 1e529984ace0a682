package io.tenantry.agent;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.organization.OrgDeletionGuard;
import io.tenantry.organization.OrgMembers;
import io.tenantry.tenancy.OrgScope;

/** What the organization feature may know of agents: counts, the assigned list, and delete blocking. */
@Component
class AgentOrgMembers implements OrgMembers, OrgDeletionGuard {

    private final AgentRepository agents;

    AgentOrgMembers(AgentRepository agents) {
        this.agents = agents;
    }

    @Override
    public Map<UUID, Long> countByOrg(OrgScope scope, Collection<UUID> orgIds) {
        return agents.countByOrg(scope, orgIds);
    }

    @Override
    public List<AssignedAgent> agentsOf(OrgScope scope, UUID orgId, int limit) {
        return agents.inOrg(scope, orgId, limit).stream()
                .map(a -> new AssignedAgent(a.id(), a.name(), a.email(), a.status(), a.effectiveStatus(),
                        a.effectiveBillingRate()))
                .toList();
    }

    @Override
    public Optional<String> reasonNotToDelete(OrgScope scope, UUID orgId) {
        long count = agents.countByOrg(scope, List.of(orgId)).getOrDefault(orgId, 0L);
        return count == 0 ? Optional.empty()
                : Optional.of("This organization has " + count + (count == 1 ? " agent" : " agents")
                        + " assigned: unassign all agents first.");
    }
}
