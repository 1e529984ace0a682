package io.tenantry.agent;

import java.util.UUID;

import io.tenantry.tenancy.OrgCallContext;

/**
 * A feature that holds, in an org, something about one of its agents that must not follow
 * the agent to another org (a policy that names it, say). Called in the transaction that
 * moves the agent, with the context of the move (its reach covers both orgs).
 */
public interface AgentDeparture {

    void agentLeft(OrgCallContext context, UUID agentId, UUID fromOrg);
}
