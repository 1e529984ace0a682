package io.tenantry.agent;

import java.time.Instant;
import java.util.UUID;

import io.tenantry.api.Always;
import io.tenantry.tenancy.OrgScope;

/**
 * One entry of an agent's history: {@code created} in {@code toOrgId}, {@code moved} from
 * {@code fromOrgId} to {@code toOrgId}, or {@code removed} (deleted) while in
 * {@code fromOrgId}; by whom and when. Shown to a caller whose scope lacks one side, that
 * side's id is withheld and {@code otherOrg} says an organization outside its view was involved.
 */
public record Assignment(@Always UUID id, @Always UUID agentId, @Always Kind kind, UUID fromOrgId, UUID toOrgId,
        boolean otherOrg, @Always Instant assignedAt, UUID actorId, @Always String actorLabel) {

    public enum Kind { created, moved, removed }

    static Assignment created(UUID agentId, UUID orgId, Instant at, UUID actorId, String actorLabel) {
        return new Assignment(UUID.randomUUID(), agentId, Kind.created, null, orgId, false, at, actorId, actorLabel);
    }

    static Assignment moved(UUID agentId, UUID fromOrgId, UUID toOrgId, Instant at, UUID actorId, String actorLabel) {
        return new Assignment(UUID.randomUUID(), agentId, Kind.moved, fromOrgId, toOrgId, false, at, actorId,
                actorLabel);
    }

    static Assignment removed(UUID agentId, UUID orgId, Instant at, UUID actorId, String actorLabel) {
        return new Assignment(UUID.randomUUID(), agentId, Kind.removed, orgId, null, false, at, actorId, actorLabel);
    }

    /** The org the row belongs to: where the agent went, or the org it was removed from. */
    UUID orgId() {
        return kind == Kind.removed ? fromOrgId : toOrgId;
    }

    Assignment seenFrom(OrgScope scope) {
        boolean hideFrom = fromOrgId != null && !scope.includes(fromOrgId);
        boolean hideTo = toOrgId != null && !scope.includes(toOrgId);
        return hideFrom || hideTo
                ? new Assignment(id, agentId, kind, hideFrom ? null : fromOrgId, hideTo ? null : toOrgId, true,
                        assignedAt, actorId, actorLabel)
                : this;
    }
}
