package io.tenantry.audit;

import java.time.Instant;
import java.util.UUID;

/**
 * One recorded change: who, when, in which org, what, and the state before and after.
 * {@code platform}: an event of the installation, not of the org it is filed in (the
 * default org); only owners and admins see those.
 */
public record AuditEvent(UUID id, UUID orgId, Instant occurredAt, String actorType, UUID actorId, String actorLabel,
        String action, String targetType, String targetId, Object before, Object after, String requestId,
        boolean platform) {
}
