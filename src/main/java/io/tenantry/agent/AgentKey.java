package io.tenantry.agent;

import java.time.Instant;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

/** An agent key as listed: never the key itself, only its first characters. */
public record AgentKey(UUID id, UUID agentId, String prefix, Instant createdAt, Instant revokedAt) {

    /** The answer to issuing a key: the only time the key is shown. */
    @Schema(name = "IssuedAgentKey")
    public record Issued(UUID id, UUID agentId, String key, String prefix, Instant createdAt) {
    }
}
