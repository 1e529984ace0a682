package io.tenantry.agent;

import java.time.Instant;
import java.util.UUID;

/**
 * One move of an agent: from which org (null when it was created) to which, by whom, when.
 * Shown to a caller whose scope lacks one side, that side's id is withheld and
 * {@code otherOrg} says that an organization outside the caller's view was involved.
 */
public record Assignment(UUID id, UUID agentId, UUID fromOrgId, UUID toOrgId, boolean otherOrg, Instant assignedAt,
        UUID actorId, String actorLabel) {

    static Assignment move(UUID agentId, UUID fromOrgId, UUID toOrgId, Instant at, UUID actorId, String actorLabel) {
        return new Assignment(UUID.randomUUID(), agentId, fromOrgId, toOrgId, false, at, actorId, actorLabel);
    }

    Assignment seenFrom(io.tenantry.tenancy.OrgScope scope) {
        boolean hideFrom = fromOrgId != null && !scope.includes(fromOrgId);
        boolean hideTo = !scope.includes(toOrgId);
        return hideFrom || hideTo
                ? new Assignment(id, agentId, hideFrom ? null : fromOrgId, hideTo ? null : toOrgId, true, assignedAt,
                        actorId, actorLabel)
                : this;
    }
}
