package io.tenantry.gateway;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * The gateway's calls over a time range, in equal buckets (UTC, oldest first, empty ones
 * included), for the organizations in the org context.
 */
@Schema(name = "GatewayStats")
public record GatewayStats(@Always @Schema(allowableValues = {"day", "week", "month"}) String range,
        @Always int bucketSeconds, @Always List<Bucket> buckets) {

    /** One bucket's calls; latencies are null where it has none. */
    @Schema(name = "GatewayStatsBucket")
    public record Bucket(@Always Instant start, @Always long requests,
            @Always @Schema(description = "Calls that failed upstream or were cut off.") long errors,
            @Always @Schema(description = "Calls the gateway refused (limits, budgets, guardrails, bad requests).")
            long refused,
            @Always @Schema(description = "Input tokens, cached ones included.") long inputTokens,
            @Always long outputTokens, Integer latencyP50Ms, Integer latencyP95Ms,
            @Schema(description = "Median time to the first streamed token, of the streamed calls.")
            Integer firstTokenP50Ms) {

        static Bucket empty(Instant start) {
            return new Bucket(start, 0, 0, 0, 0, 0, null, null, null);
        }
    }
}
