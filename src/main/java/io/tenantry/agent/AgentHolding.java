package io.tenantry.agent;

import java.time.Instant;
import java.util.UUID;

/** {@code orgId} held the agent from {@code from} until {@code until} (exclusive; null while it still does). */
public record AgentHolding(UUID agentId, UUID orgId, Instant from, Instant until) {

    /** Whether the org held the agent at {@code at}. */
    public boolean heldAt(Instant at) {
        return !from.isAfter(at) && (until == null || until.isAfter(at));
    }
}
