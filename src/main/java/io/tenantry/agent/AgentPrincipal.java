package io.tenantry.agent;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.Caller;

/**
 * An agent authenticated by its key: locked to the org that holds it now. {@code keyIssuedAt}
 * and {@code heldSince} (when the agent joined that org) bound what the key may speak for:
 * usage from before either is not its to report, or it could land on another org's bill.
 */
public record AgentPrincipal(UUID keyId, Instant keyIssuedAt, UUID agentId, String agentName, String status,
        UUID orgId, String orgName, boolean orgActive, Instant heldSince) implements Caller {

    /** The earliest moment this key reports usage for: its issue, or the agent's joining its org, the later. */
    public Instant speaksSince() {
        return heldSince != null && heldSince.isAfter(keyIssuedAt) ? heldSince : keyIssuedAt;
    }

    @Override
    public Actor actor() {
        return new Actor(Actor.Type.agent, agentId, agentName);
    }

    @Override
    public Optional<UUID> lockedOrg() {
        return Optional.of(orgId);
    }

    @Override
    public boolean operator() {
        return false;
    }

    /** Why this agent may not operate now, or empty when it may. */
    public Optional<String> whyNotOperating() {
        if (!orgActive) {
            return Optional.of("The organization '" + orgName + "' is inactive, so its agents do not operate.");
        }
        if (!Agent.ACTIVE.equals(status)) {
            return Optional.of("The agent '" + agentName + "' is paused.");
        }
        return Optional.empty();
    }

    /** The code OpenAI-shaped refusals give for {@link #whyNotOperating}: the org's state first, as there. */
    public String notOperatingCode() {
        return orgActive ? "agent_paused" : "organization_inactive";
    }
}
