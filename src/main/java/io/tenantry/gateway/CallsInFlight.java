package io.tenantry.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.node.ObjectNode;

/**
 * The journal of this node's gateway calls: a call is metered when it ends, so a node killed
 * mid-call would lose what its calls had cost upstream. Each call is noted before it goes
 * upstream (its prompt, as the gateway counts it), in its budget hold's transaction where it
 * holds one ({@link BudgetHolds}), else in a round trip of its own. Then every
 * {@code TENANTRY_GATEWAY_CALL_JOURNAL_INTERVAL}, on a thread of its own (the shared
 * scheduler's sweeps would hold it back), the calls that have run that long note what they
 * used so far (the answer streamed, the upstream they went to) in one relaxed transaction,
 * as do, at once, calls moving on to another upstream ({@link #goingTo}): one
 * whose call has news, and every {@link #REFRESHES}th interval each other one, so that a live
 * call's note never looks abandoned ({@link #staleAfter}). A call's metering deletes its note
 * in its own transaction; a note written while its call was being metered is deleted once
 * the metering committed. A note outliving its call is billed by {@link LostCallSweep}. A
 * node killed loses what its calls used since their last note.
 */
@Component
class CallsInFlight implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(CallsInFlight.class);
    /** A note with no news is written again every this many intervals. */
    static final int REFRESHES = 10;

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
    /** Calls noted while they were being metered, to look at again once that is decided (the journal's thread only). */
    private final List<CallInFlight> meteredMeanwhile = new ArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread journalThread = new Thread(r, "gateway-call-journal");
        journalThread.setDaemon(true);
        return journalThread;
    });

    CallsInFlight(CallJournal journal, ScopedTransactions transactions,
            @Value("${tenantry.gateway.call-journal-interval}") Duration interval,
            @Value("${tenantry.gateway.media-input-tokens}") long mediaInputTokens) {
        this.journal = journal;
        this.transactions = transactions;
        this.interval = interval;
        this.mediaInputTokens = mediaInputTokens;
        // The token counter loads its encoding on first use, which takes a while: not in the first note's time.
        thread.execute(() -> TokenEstimate.text("warm"));
        thread.scheduleWithFixedDelay(this::noteNow, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * How long a note goes unwritten before its call counts as abandoned: its node has
     * refreshed it {@link #REFRESHES} intervals at most after the last, unless it died.
     */
    Duration staleAfter() {
        return interval.multipliedBy(3L * REFRESHES);
    }

    /**
     * A call that will go upstream unless refused first, not noted yet: {@link #begin} notes it,
     * unless its budget hold did ({@link #firstNote}). {@code request} is no longer changed.
     * {@code promptTokens}: the prompt as counted already, or -1 to count it here.
     */
    CallInFlight open(UUID id, AgentPrincipal agent, String endpoint, String model, boolean stream, Instant startedAt,
            long startNanos, ObjectNode request, long promptTokens) {
        return new CallInFlight(id, agent, endpoint, model, stream, startedAt, startNanos,
                promptTokens >= 0 ? promptTokens : GatewayCalls.promptTokens(endpoint, request, mediaInputTokens));
    }

    /** The call's first note, for its budget hold to write with the hold ({@link BudgetHolds#hold}). */
    Note firstNote(CallInFlight call) {
        return call.note(Instant.now(), System.nanoTime());
    }

    /**
     * The call is about to go upstream, from where its provider may bill it. It is noted
     * before it goes (with its budget hold, or here in one round trip that does not wait for
     * the disk), so that this node's death at any moment after leaves it to the sweep: calls
     * killed younger than the interval were lost before (outside tester).
     */
    void begin(CallInFlight call) {
        if (!call.noted) {
            OrgScope scope = OrgScope.of(call.agent.orgId());
            Pipeline note = new Pipeline();
            journal.note(note, scope, firstNote(call));
            transactions.writeTogetherRelaxed(scope, note);
        }
        call.noted = true;
        // Published to the journal's thread only now, noted: it reads the call's note fields after this.
        calls.put(call.id, call);
    }

    /**
     * The call is about to try {@code tries}'s target. Where that is another upstream than
     * its note names (its first target was skipped, or it fell back), it is noted again before
     * it goes, by the journal's thread, the only one that writes a running call's note, while
     * this one waits (retest: calls killed in that moment were priced as the target before).
     */
    void goingTo(CallInFlight call, Upstream.Tries tries) {
        if (!call.goingTo(tries)) {
            return;
        }
        try {
            thread.submit(this::noteNow).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
            // noteNow reports its own failures; a stopping journal notes nothing more.
        }
    }

    /** The answer streamed so far, counted for the journal at most once an interval. */
    void streamed(CallInFlight call, CharSequence answer) {
        call.streamed(answer, interval.toNanos());
    }

    /** The call is being metered: noted no more. */
    void ending(CallInFlight call) {
        call.ended = true;
    }

    /** In the call's metering transaction: its note goes with it, if it was noted (refused before, it was not). */
    void forget(OrgScope scope, CallInFlight call) {
        if (call.noted) {
            journal.delete(scope, call.id);
        }
    }

    /** The call's metering committed. */
    void metered(CallInFlight call) {
        call.metered = true;
    }

    /** The call is over here, metered or not (a note of one that was not stays for the sweep). */
    void ended(CallInFlight call) {
        call.over = true;
        calls.remove(call.id);
    }

    void noteNow() {
        try {
            note();
        } catch (RuntimeException e) {
            log.warn("The journal of gateway calls in flight could not be written; a crash now would lose what they "
                    + "used since their last note", e);
        }
    }

    private void note() {
        // Calls noted during their metering, now metered: their notes go; not metered: they stay for the sweep.
        List<CallInFlight> metered = new ArrayList<>();
        meteredMeanwhile.removeIf(call -> {
            if (call.metered) {
                metered.add(call);
            }
            return call.metered || call.over;
        });
        long now = System.nanoTime();
        long refresh = interval.toNanos() * REFRESHES;
        List<CallInFlight> due = calls.values().stream().filter(call -> !call.ended
                && (now - call.startNanos >= interval.toNanos() || call.movedOn()) && call.dueForNote(now, refresh))
                .toList();
        OrgScope everywhere = OrgScope.allOrgs();
        if (!due.isEmpty()) {
            Instant at = Instant.now();
            List<Note> notes = due.stream().map(call -> call.note(at, now)).toList();
            try {
                transactions.writeRelaxed(everywhere, () -> notes.forEach(note -> journal.note(everywhere, note)));
            } catch (RuntimeException e) {
                due.forEach(CallInFlight::noteLost);
                throw e;
            }
            // Its metering may have deleted the note before this one committed: once it has
            // committed, the note goes (at the top of the next tick).
            due.stream().filter(call -> call.ended).forEach(meteredMeanwhile::add);
        }
        if (!metered.isEmpty()) {
            transactions.writeRelaxed(everywhere, () -> metered.forEach(call -> journal.delete(everywhere, call.id)));
        }
    }

    @Override
    public void destroy() {
        thread.shutdownNow();
    }
}
