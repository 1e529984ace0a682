package io.tenantry.agent;

import java.time.Instant;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;

/** An agent key as listed: never the key itself, only its first characters. */
public record AgentKey(@Always UUID id, @Always UUID agentId, @Always String prefix, @Always Instant createdAt,
        Instant revokedAt) {

    /** The answer to issuing a key: the only time the key is shown. */
    @Schema(name = "IssuedAgentKey")
    public record Issued(@Always UUID id, @Always UUID agentId, @Always String key, @Always String prefix, @Always Instant createdAt) {
    }
}
