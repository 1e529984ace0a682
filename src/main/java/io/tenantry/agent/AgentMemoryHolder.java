package io.tenantry.agent;

import java.time.Instant;
import java.util.UUID;

import io.tenantry.tenancy.OrgScope;

/**
 * The feature that keeps what an agent remembers. An agent's memory lives in the org that
 * holds the agent, so when the agent moves, its memory moves with it or is cleared, in the
 * transaction that moves the agent. (Deleting an agent deletes its memory by foreign key.)
 */
public interface AgentMemoryHolder {

    /**
     * Moves the memory of {@code agent} (as it was before the move) to {@code to} (keep) or
     * deletes it (clear), within {@code reach}, at {@code at}; answers how many unexpired
     * entries were moved or deleted.
     */
    int agentMoved(OrgScope reach, Agent agent, UUID to, MemoryOnMove choice, Instant at);
}
