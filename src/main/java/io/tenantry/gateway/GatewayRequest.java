package io.tenantry.gateway;

import java.time.Instant;
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
        @Schema(description = "Why a call did not end well; on an ok call, output_limit: the provider went past "
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
        @Always int attempts, @Always int latencyMs,
        @Schema(description = "Until the first streamed token reached the client.") Integer firstTokenMs,
        @Always Instant startedAt,
        @Schema(allowableValues = {"allow", "redact", "block", "pause"}, description = "What the organization's "
                + "guardrail rules decided about the prompt; absent when no rule judged it.") String inputDecision,
        @Schema(allowableValues = {"allow", "redact", "block", "pause"}, description = "What they decided about the "
                + "answer; absent when no rule judged it.") String outputDecision,
        String prompt, String answer) {

    public static final String OK = "ok";
    public static final String REFUSED = "refused";
    public static final String ERROR = "error";
    public static final String CUT = "cut";
    public static final String CANCELLED = "cancelled";

    long totalTokens() {
        return inputTokens + cachedInputTokens + outputTokens;
    }
}
