package io.tenantry.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.node.ObjectNode;

/**
 * The journal of this node's gateway calls: a call is metered when it ends, so a node killed
 * mid-call would lose what its calls had cost upstream. Every
 * {@code TENANTRY_GATEWAY_CALL_JOURNAL_INTERVAL} the calls that have run that long note what
 * they used so far (prompt and answer streamed, as the gateway counts them) in one relaxed
 * transaction; a call's metering deletes its note in its own transaction. A note outliving its
 * call is billed by {@link LostCallSweep}. Calls shorter than the interval are never noted (a
 * write per call would cost every call): a node killed loses at most those.
 */
@Component
class CallsInFlight {

    private static final Logger log = LoggerFactory.getLogger(CallsInFlight.class);

    /** What a call had used when it was noted. */
    record Note(UUID id, UUID orgId, UUID agentId, String agentName, String endpoint, String model, String provider,
            String upstreamModel, boolean stream, boolean byok, long inputTokens, long outputTokens, Instant startedAt,
            Instant notedAt) {
    }

    private final Map<UUID, CallInFlight> calls = new ConcurrentHashMap<>();
    private final CallJournal journal;
    private final ScopedTransactions transactions;
    private final Duration interval;
    private final long mediaInputTokens;

    CallsInFlight(CallJournal journal, ScopedTransactions transactions,
            @Value("${tenantry.gateway.call-journal-interval}") Duration interval,
            @Value("${tenantry.gateway.media-input-tokens}") long mediaInputTokens) {
        this.journal = journal;
        this.transactions = transactions;
        this.interval = interval;
        this.mediaInputTokens = mediaInputTokens;
    }

    /** A call about to go upstream, from where its provider may bill it; {@code request} is no longer changed. */
    CallInFlight begin(UUID id, AgentPrincipal agent, String endpoint, String model, boolean stream, Instant startedAt,
            long startNanos, ObjectNode request) {
        CallInFlight call = new CallInFlight(id, agent, endpoint, model, stream, startedAt, startNanos, request);
        calls.put(id, call);
        return call;
    }

    /** The answer streamed so far, counted for the journal at most once an interval. */
    void streamed(CallInFlight call, CharSequence answer) {
        call.streamed(answer, interval.toNanos());
    }

    /** The call is being metered: noted no more. */
    void ending(CallInFlight call) {
        call.ended = true;
    }

    /** In the call's metering transaction: its note goes with it. */
    void forget(OrgScope scope, CallInFlight call) {
        if (call.noted) {
            journal.delete(scope, call.id);
        }
    }

    /** The call is over here, metered or not (a note of one that was not stays for the sweep). */
    void ended(CallInFlight call) {
        calls.remove(call.id);
    }

    @Scheduled(initialDelayString = "${tenantry.gateway.call-journal-interval}",
            fixedDelayString = "${tenantry.gateway.call-journal-interval}")
    void noteNow() {
        long now = System.nanoTime();
        List<CallInFlight> due = calls.values().stream()
                .filter(call -> !call.ended && now - call.startNanos >= interval.toNanos() && call.changedSinceNote())
                .toList();
        if (due.isEmpty()) {
            return;
        }
        Instant at = Instant.now();
        // Marked first: a call metered while its note is being written deletes the note, or
        // leaves one that the sweep finds already logged.
        due.forEach(call -> call.noted = true);
        try {
            List<Note> notes = due.stream().map(call -> call.note(mediaInputTokens, at)).toList();
            OrgScope everywhere = OrgScope.allOrgs();
            transactions.writeRelaxed(everywhere, () -> notes.forEach(note -> journal.note(everywhere, note)));
        } catch (RuntimeException e) {
            due.forEach(CallInFlight::noteLost);
            log.warn("The journal of {} gateway calls in flight could not be written; a crash now would lose what "
                    + "they used since their last note", due.size(), e);
        }
    }
}
