package io.tenantry.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.tenantry.jobs.ClusterJobs;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Bills the calls a gateway node was serving when it died, from their last note in the
 * journal ({@link CallsInFlight}). A note is swept once its call must have ended
 * ({@link LongestCall#billedWithin()} after it began) and its node has stopped noting it
 * ({@link CallsInFlight#staleAfter()}): a call whose client reads slowly can outlive its
 * deadline while a write to it blocks, and a live call is never billed as lost. Each is
 * metered as the call would have been (usage event {@code gateway:<id>}, request log line,
 * in one transaction that deletes the note and ends
 * the call's budget hold, which would count it a second time until it went stale), cut with
 * {@link #CODE} and marked estimated; a note whose call is in the request log already was
 * left by a race with that call's own metering, and is only deleted. Every node ticks; one
 * sweeps each period ({@link ClusterJobs}).
 */
@Component
class LostCallSweep {

    static final String CODE = "node_lost";
    private static final int BATCH = 100;
    private static final Logger log = LoggerFactory.getLogger(LostCallSweep.class);

    private final CallJournal journal;
    private final GatewayMeter meter;
    private final RequestLog requests;
    private final BudgetHolds budgets;
    private final ScopedTransactions transactions;
    private final ClusterJobs jobs;
    private final LongestCall longest;
    private final CallsInFlight inFlight;
    private final Duration interval;

    LostCallSweep(CallJournal journal, GatewayMeter meter, RequestLog requests, BudgetHolds budgets,
            ScopedTransactions transactions, ClusterJobs jobs, LongestCall longest, CallsInFlight inFlight,
            @Value("${tenantry.gateway.lost-call-sweep-interval}") Duration interval) {
        this.journal = journal;
        this.meter = meter;
        this.requests = requests;
        this.budgets = budgets;
        this.transactions = transactions;
        this.jobs = jobs;
        this.longest = longest;
        this.inFlight = inFlight;
        this.interval = interval;
    }

    @Scheduled(initialDelayString = "${tenantry.gateway.lost-call-sweep-interval}",
            fixedDelayString = "${tenantry.gateway.lost-call-sweep-interval}")
    void sweepNow() {
        Instant now = Instant.now();
        jobs.runOnce("gateway-lost-calls", interval, now, () -> sweep(now));
    }

    /** Bills every call the journal holds that must have ended by {@code now}; answers how many it billed. */
    int sweep(Instant now) {
        OrgScope everywhere = OrgScope.allOrgs();
        int billed = 0;
        while (true) {
            List<CallsInFlight.Note> lost = transactions.read(everywhere, () -> journal.abandoned(everywhere,
                    now.minus(longest.billedWithin()), now.minus(inFlight.staleAfter()), BATCH));
            int settled = 0;
            for (CallsInFlight.Note note : lost) {
                try {
                    billed += settle(everywhere, note) ? 1 : 0;
                    settled++;
                } catch (RuntimeException e) {
                    // GatewayMeter logged what the call used; the note stays, and the next sweep tries again.
                    log.error("Gateway call {} lost with its node could not be billed yet", note.id(), e);
                }
            }
            if (lost.size() < BATCH || settled == 0) {
                return billed;
            }
        }
    }

    /** Bills the lost call, or only deletes its note where the call was metered; answers whether it billed. */
    private boolean settle(OrgScope everywhere, CallsInFlight.Note note) {
        // A note whose call is logged was left by a race with that call's own metering.
        if (transactions.read(everywhere, () -> requests.has(everywhere, note.id()))) {
            transactions.write(everywhere, () -> {
                journal.delete(everywhere, note.id());
                return null;
            });
            return false;
        }
        log.warn("Gateway call {} of agent {} (org {}) was lost with the node serving it; billed from its last note "
                + "at {}: model {}, input {}, output {} tokens, estimated", note.id(), note.agentId(), note.orgId(),
                note.notedAt(), note.model(), note.inputTokens(), note.outputTokens());
        meter.record(request(note), "lost-call-sweep", scope -> {
            journal.delete(scope, note.id());
            budgets.releaseLost(scope, note.id());
        });
        return true;
    }

    /** The call's request log line: cut when its node died, its client answered by nobody. */
    private static GatewayRequest request(CallsInFlight.Note note) {
        int latency = (int) Math.min(Integer.MAX_VALUE, Duration.between(note.startedAt(), note.notedAt()).toMillis());
        // Every note names the upstream its call went to; one from a server before that did not.
        boolean answered = note.provider() != null;
        return new GatewayRequest(note.id(), note.orgId(), note.agentId(), note.agentName(), note.endpoint(),
                note.model(), note.provider(), note.upstreamModel(), note.stream(), GatewayRequest.CUT, 502, CODE,
                note.inputTokens(), 0, note.outputTokens(), true, answered && note.byok(), answered ? 1 : 0, null,
                latency, null, note.startedAt(), null, null, null, null);
    }
}
