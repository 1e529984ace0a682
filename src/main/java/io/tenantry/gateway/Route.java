package io.tenantry.gateway;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/** A model name agents ask for, and the upstreams that serve it, tried in this order. */
@Schema(name = "GatewayRoute")
public record Route(@Always UUID id, @Always String model, @Always List<Target> targets, @Always Instant createdAt,
        @Always Instant updatedAt) {

    /**
     * One upstream of a route: a provider, the model it is asked for there, and the most that
     * model answers with (what a call without max_tokens reserves against a budget).
     */
    @Schema(name = "GatewayRouteTarget")
    public record Target(@Always UUID providerId, @Always String provider, @Always String model,
            Integer maxOutputTokens) {
    }
}
