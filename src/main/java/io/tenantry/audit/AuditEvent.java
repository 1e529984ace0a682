package io.tenantry.audit;

import java.time.Instant;
import java.util.UUID;

import io.tenantry.api.Always;

/**
 * One recorded change: who, when, in which org, what, and the state before and after.
 * {@code platform}: an event of the installation, not of the org it is filed in (the
 * default org); only owners and admins see those.
 */
public record AuditEvent(@Always UUID id, UUID orgId, @Always Instant occurredAt, @Always String actorType,
        UUID actorId, String actorLabel, @Always String action, @Always String targetType, String targetId,
        Object before, Object after, String requestId,
        boolean platform) {
}
