package io.tenantry.agent;

import java.util.UUID;

import io.tenantry.tenancy.OrgCallContext;

/**
 * A feature that holds, in an org, something about one of its agents that must not follow
 * the agent to another org (a policy that names it, say). Called in the transaction that
 * moves or deletes the agent, with that call's context.
 */
public interface AgentDeparture {

    void agentLeft(OrgCallContext context, UUID agentId, UUID fromOrg);

    /** Why a policy or rule changed when an agent it named left, for the audit trail. */
    static String reason(UUID agentId, boolean noneLeft) {
        return "agent " + agentId + " left the organization" + (noneLeft
                ? "; it named no other agent and is switched off" : "");
    }
}
