package io.tenantry.agent;

import java.util.UUID;

import io.tenantry.tenancy.OrgScope;

/**
 * The feature that keeps what an agent remembers. An agent's memory lives in the org that
 * holds the agent, so when the agent moves, its memory moves with it or is cleared, in the
 * transaction that moves the agent. (Deleting an agent deletes its memory by foreign key.)
 */
public interface AgentMemoryHolder {

    /**
     * Moves the agent's memory to {@code to} (keep) or deletes it (clear), within
     * {@code reach}; answers how many entries were moved or deleted.
     */
    int agentMoved(OrgScope reach, UUID agentId, UUID to, MemoryOnMove choice);
}
