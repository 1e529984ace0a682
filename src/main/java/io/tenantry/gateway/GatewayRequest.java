package io.tenantry.gateway;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * One call through the gateway, as its org's request log keeps it. Tokens are the upstream's
 * count, or the gateway's own where {@code estimated}; {@code inputTokens} excludes the
 * cached ones, as usage events count them. Prompt and answer only with content logging on.
 */
@Schema(name = "GatewayRequest")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayRequest(@Always UUID id, @Always UUID orgId, @Always UUID agentId, @Always String agentName,
        @Always @Schema(allowableValues = {"chat.completions", "embeddings"}) String endpoint,
        @Always String model,
        @Schema(description = "The provider that answered, when one did.") String provider,
        String upstreamModel, @Always boolean stream,
        @Always @Schema(allowableValues = {"ok", "refused", "error", "cut", "cancelled"},
                description = "refused: by the gateway, before any upstream call, or an answer the organization's "
                        + "guardrails stopped (billed, since the model answered); error: the upstream failed or "
                        + "refused; cut: the stream ended before the upstream finished it (it broke off, or the "
                        + "call ran past the gateway's longest call); cancelled: the client went away.") String status,
        @Always int httpStatus,
        @Schema(description = "Why a call did not end well (an upstream's refusal of the request: its own code, "
                + "else upstream_refused_request); on an ok call, output_limit: the provider went past "
                + "the output limit the gateway sent it: a stream the gateway ended there as a model at its limit "
                + "does; a whole answer, which came generated already, billed as it came. On a cut call, "
                + "node_lost: the gateway node serving it stopped (a crash) before it ended; it was billed, estimated, from what the node last noted it had used (a node that only stalled "
                + "and finished the call replaces this line with its own). On a cancelled "
                + "call, client_closed: the client went away; client_too_slow: the client, still connected, took "
                + "none of the stream for the server's connection timeout, and the gateway gave up on it.")
        String errorCode,
        @Always long inputTokens, @Always long cachedInputTokens,
        @Always long outputTokens,
        @Always @Schema(description = "Counted by the gateway, at least in part: the provider gave no usage, or "
                + "usage that did not cover the whole answer, or the answer was not read to its end (the client "
                + "left, the guardrails or the output limit stopped it, the provider broke off).") boolean estimated,
        @Always @Schema(description = "Whether the organization's own provider key paid.") boolean byok,
        @Always int attempts,
        @Schema(description = "The route's targets in the order the call went through them, up to the one that "
                + "answered: those skipped (no usable key) and those that failed, each with why, so that a "
                + "fallback is visible. Absent for a call refused before any target, and for one a crashed node "
                + "left (node_lost).") List<RouteStep> route,
        @Always int latencyMs,
        @Schema(description = "Until the first streamed token reached the client.") Integer firstTokenMs,
        @Always Instant startedAt,
        @Schema(allowableValues = {"allow", "redact", "block", "pause"}, description = "What the organization's "
                + "guardrail rules decided about the prompt; absent when no rule judged it.") String inputDecision,
        @Schema(allowableValues = {"allow", "redact", "block", "pause"}, description = "What they decided about the "
                + "answer; absent when no rule judged it.") String outputDecision,
        String prompt, String answer) {

    /** One target of a call's route, as the call met it. */
    @Schema(name = "GatewayRouteStep")
    public record RouteStep(@Always String provider, @Always String upstreamModel,
            @Always @Schema(description = "Calls sent to this target: 0 when it was skipped.") int attempts,
            @Always @Schema(description = "answered: this target answered the call (what became of the answer is "
                    + "the call's status). Skipped without a call: provider_key_missing, provider_key_unusable, "
                    + "provider_key_expired (the key that would pay: the organization's own, or the platform's), "
                    + "platform_key_withheld (the organization's own key for an earlier target had expired, and the "
                    + "platform's key does not stand in for it). "
                    + "Failed: upstream_rate_limited, upstream_error, upstream_unreachable, upstream_timeout, "
                    + "upstream_cut, call_too_long (the call's time ran out).") String outcome) {

        /** The outcome of the target that answered the call. */
        public static final String ANSWERED = "answered";
    }

    public static final String OK = "ok";
    public static final String REFUSED = "refused";
    public static final String ERROR = "error";
    public static final String CUT = "cut";
    public static final String CANCELLED = "cancelled";

    long totalTokens() {
        return inputTokens + cachedInputTokens + outputTokens;
    }
}
