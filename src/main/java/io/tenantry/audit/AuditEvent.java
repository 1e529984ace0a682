package io.tenantry.audit;

import java.time.Instant;
import java.util.UUID;

import io.tenantry.api.Always;

/**
 * One recorded change: who, when, in which org, what, and the state before and after.
 * {@code platform}: an event of the installation, not of the org it is filed in (the
 * default org); only owners and admins see those. {@code orgName} and {@code targetName}
 * are read when the log is listed, so they are today's names; null when the org or target
 * is gone or out of the reader's reach (and for targets no name is read of: statements).
 */
public record AuditEvent(@Always UUID id, UUID orgId, String orgName, @Always Instant occurredAt,
        @Always String actorType, UUID actorId, String actorLabel, @Always String action, @Always String targetType,
        String targetId, String targetName, Object before, Object after, String requestId, boolean platform) {
}
