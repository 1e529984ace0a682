package io.tenantry.gateway;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import io.tenantry.agent.AgentPrincipal;
import tools.jackson.databind.node.ObjectNode;

/**
 * A gateway call this node is serving, as its journal ({@link CallsInFlight}) notes it: the
 * request thread sets what the call used so far, the journal's thread reads it. The prompt
 * is counted by the journal's thread, once, and only for a call that runs long enough to be
 * noted: the body is no longer changed once the call goes upstream.
 */
final class CallInFlight {

    final UUID id;
    final AgentPrincipal agent;
    final String endpoint;
    final String model;
    final boolean stream;
    final Instant startedAt;
    final long startNanos;
    private final ObjectNode request;
    private volatile String provider;
    private volatile String upstreamModel;
    private volatile boolean byok;
    /** The gateway's count of the answer streamed so far, taken at most once per journal interval. */
    private volatile long output;
    private long countedNanos;
    /** The journal may hold a row for it: its metering deletes that row. */
    volatile boolean noted;
    /** What the last note said of the answer and its upstream: a call with nothing new is not noted again. */
    private long notedOutput = -1;
    private String notedUpstream;
    /** Being metered: the journal notes it no more. */
    volatile boolean ended;
    private long input = -1;

    CallInFlight(UUID id, AgentPrincipal agent, String endpoint, String model, boolean stream, Instant startedAt,
            long startNanos, ObjectNode request) {
        this.id = id;
        this.agent = agent;
        this.endpoint = endpoint;
        this.model = model;
        this.stream = stream;
        this.startedAt = startedAt;
        this.startNanos = startNanos;
        this.request = request;
        this.countedNanos = startNanos;
    }

    /** The upstream now answering it. */
    void answering(Upstream.Tries tries) {
        if (tries.provider != null) {
            provider = tries.provider.name();
            upstreamModel = tries.target.model();
            byok = tries.byok;
        }
    }

    /** The answer streamed so far: counted again once {@code everyNanos} have passed since the last count. */
    void streamed(CharSequence answer, long everyNanos) {
        long now = System.nanoTime();
        if (now - countedNanos >= everyNanos) {
            countedNanos = now;
            output = TokenEstimate.text(answer);
        }
    }

    /** Whether the journal's last note of it says less than it could now (or there is none). */
    boolean changedSinceNote() {
        return notedOutput != output || !Objects.equals(notedUpstream, upstreamModel);
    }

    /** The note of it could not be written: the next one writes it whatever changed. */
    void noteLost() {
        notedOutput = -1;
    }

    /** The journal's note of the call now; the prompt counted at the first. */
    CallsInFlight.Note note(long mediaInputTokens, Instant at) {
        notedOutput = output;
        notedUpstream = upstreamModel;
        if (input < 0) {
            input = GatewayCalls.CHAT.equals(endpoint) ? TokenEstimate.prompt(request, mediaInputTokens)
                    : TokenEstimate.embeddingInput(request.path("input"));
        }
        return new CallsInFlight.Note(id, agent.orgId(), agent.agentId(), agent.agentName(), endpoint, model,
                provider, upstreamModel, stream, byok, input, output, startedAt, at);
    }
}
