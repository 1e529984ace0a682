package io.tenantry.gateway;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import io.tenantry.agent.AgentPrincipal;

/**
 * A gateway call this node is serving, as its journal ({@link CallsInFlight}) notes it: the
 * request thread notes it first (with its budget hold, or alone) and sets what the call used
 * so far, the journal's thread reads it after. Its prompt is counted once, before the first note.
 */
final class CallInFlight {

    final UUID id;
    final AgentPrincipal agent;
    final String endpoint;
    final String model;
    final boolean stream;
    final Instant startedAt;
    final long startNanos;
    /** Its prompt, as the gateway counts it. */
    private final long input;
    private volatile String provider;
    private volatile String upstreamModel;
    private volatile boolean byok;
    /** The gateway's count of the answer streamed so far, taken at most once per journal interval. */
    private volatile long output;
    private long countedNanos;
    /** What the last note said of the answer and its upstream: a call with nothing new is not noted again. */
    private long notedOutput = -1;
    private String notedProvider;
    private String notedUpstream;
    private boolean notedByok;
    private long notedNanos;
    /** Its note is written (with its budget hold or by {@link CallsInFlight#begin}); set before it goes upstream. */
    boolean noted;
    /** Being metered: the journal notes it no more. */
    volatile boolean ended;
    /** Its metering committed. */
    volatile boolean metered;
    /** Over on this node, metered or not. */
    volatile boolean over;

    CallInFlight(UUID id, AgentPrincipal agent, String endpoint, String model, boolean stream, Instant startedAt,
            long startNanos, long input) {
        this.id = id;
        this.agent = agent;
        this.endpoint = endpoint;
        this.model = model;
        this.stream = stream;
        this.startedAt = startedAt;
        this.startNanos = startNanos;
        this.input = input;
        this.countedNanos = startNanos;
    }

    /**
     * The upstream it goes to: first the route's first target (the one a note names when the
     * call is killed before it moved on), then each target as it is tried.
     */
    void goingTo(String providerName, String model, boolean orgsOwnKey) {
        provider = providerName;
        upstreamModel = model;
        byok = orgsOwnKey;
    }

    /** The target being tried now; whether that is another upstream than it went to before. */
    boolean goingTo(Upstream.Tries tries) {
        String name = tries.provider.name();
        String model = tries.target.model();
        if (name.equals(provider) && model.equals(upstreamModel) && tries.byok == byok) {
            return false;
        }
        goingTo(name, model, tries.byok);
        return true;
    }

    /**
     * Whether it goes to another upstream than its last note names (it fell back, or its
     * first target was skipped): noted again before it goes ({@link CallsInFlight#goingTo}),
     * so that a call killed there is priced as the upstream that served it.
     */
    boolean movedOn() {
        return !Objects.equals(notedProvider, provider) || !Objects.equals(notedUpstream, upstreamModel)
                || notedByok != byok;
    }

    /**
     * The answer streamed so far: counted again once half of {@code everyNanos} has passed
     * since the last count, so that a note is at most that much behind what it could say.
     */
    void streamed(CharSequence answer, long everyNanos) {
        long now = System.nanoTime();
        if (now - countedNanos >= everyNanos / 2) {
            countedNanos = now;
            output = TokenEstimate.text(answer);
        }
    }

    /**
     * Whether the journal should note it now: it has no note, its last note says less than
     * it could, or that note is {@code refreshNanos} old.
     */
    boolean dueForNote(long nowNanos, long refreshNanos) {
        return notedOutput != output || movedOn() || nowNanos - notedNanos >= refreshNanos;
    }

    /** The note of it could not be written: the next one writes it whatever changed. */
    void noteLost() {
        notedOutput = -1;
    }

    /** The journal's note of the call at {@code at} ({@code nowNanos} on the monotonic clock), its prompt counted. */
    CallsInFlight.Note note(Instant at, long nowNanos) {
        notedOutput = output;
        notedProvider = provider;
        notedUpstream = upstreamModel;
        notedByok = byok;
        notedNanos = nowNanos;
        return new CallsInFlight.Note(id, agent.orgId(), agent.agentId(), agent.agentName(), endpoint, model,
                provider, upstreamModel, stream, byok, input, output, startedAt, at);
    }
}
