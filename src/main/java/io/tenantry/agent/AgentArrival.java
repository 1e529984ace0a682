package io.tenantry.agent;

import java.util.UUID;

import io.tenantry.tenancy.OrgCallContext;

/**
 * A feature that takes up again, in an org, what it held about one of its agents before the
 * agent left (a rule that named it, say). Called in the transaction that moves the agent
 * into {@code toOrg}, with that call's context, after every {@link AgentDeparture}.
 */
public interface AgentArrival {

    void agentArrived(OrgCallContext context, UUID agentId, UUID toOrg);

    /** Why a policy or rule changed when an agent it named came back, for the audit trail. */
    static String reason(UUID agentId, boolean switchedOn) {
        return "agent " + agentId + " returned to the organization; it is named again"
                + (switchedOn ? " and switched on again" : "");
    }
}
