package io.tenantry.agent;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * From {@code effectiveAt} on, while in {@code orgId}, the agent was billed at {@code override}
 * (null: the org's rate). Recorded on every change and again on every move, so that an
 * org's own rows tell which rate applied while it held the agent.
 */
public record AgentRate(UUID agentId, UUID orgId, BigDecimal override, Instant effectiveAt) {
}
