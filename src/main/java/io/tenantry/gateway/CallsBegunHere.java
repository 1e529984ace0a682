package io.tenantry.gateway;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentService;
import io.tenantry.agent.Departures;
import io.tenantry.organization.DeletionCheck;
import io.tenantry.organization.OrgDeletionGuard;
import io.tenantry.tenancy.OrgScope;

/**
 * A gateway call is billed to the org that served it, also when its agent moved away (or
 * was deleted) while it ran; usage for a deleted org's time is refused, so an org deleted
 * before such a call ends would lose its usage and its request log line. The journal holds
 * every call from just before it goes upstream until it is metered (or, one a node died
 * serving, until the lost-call sweep has billed it): the org is undeletable while it holds
 * one of the org's. A call that read its agent's org but is not noted yet is known to no
 * table, and none runs longer than {@link LongestCall}: an org also stays undeletable that
 * long after an agent left it.
 */
@Component
class CallsBegunHere implements OrgDeletionGuard {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final AgentService agents;
    private final LongestCall longest;
    private final CallJournal journal;
    private final CallsInFlight inFlight;
    private final Duration sweepInterval;

    CallsBegunHere(AgentService agents, LongestCall longest, CallJournal journal, CallsInFlight inFlight,
            @Value("${tenantry.gateway.lost-call-sweep-interval}") Duration sweepInterval) {
        this.agents = agents;
        this.longest = longest;
        this.journal = journal;
        this.inFlight = inFlight;
        this.sweepInterval = sweepInterval;
    }

    private static Instant later(Instant one, Instant other) {
        return one.isAfter(other) ? one : other;
    }

    @Override
    public Optional<DeletionCheck.Obstacle> obstacleToDeletion(OrgScope scope, UUID orgId) {
        CallJournal.OfOrg lost = journal.ofOrg(scope, orgId);
        if (lost.calls() > 0) {
            // The sweep's own condition, as far as the notes so far tell: a call still noted later moves it on.
            Instant sweepable = later(lost.lastStarted().plus(longest.billedWithin()),
                    lost.lastNoted().plus(inFlight.staleAfter()));
            String by = MINUTE.format(sweepable.plus(sweepInterval).truncatedTo(ChronoUnit.MINUTES).plus(1,
                    ChronoUnit.MINUTES));
            return Optional.of(new DeletionCheck.Obstacle("calls", lost.calls(), lost.calls() == 1
                    ? "A gateway call of this organization is running, or was when the gateway node serving it "
                            + "stopped; it is billed here when it ends, or by " + by + " if its node stopped, and the "
                            + "organization can be deleted once it is."
                    : lost.calls() + " gateway calls of this organization are running, or were when the gateway node "
                            + "serving them stopped; they are billed here when they end, or by " + by + " if their "
                            + "node stopped, and the organization can be deleted once they are."));
        }
        Departures left = agents.departuresAfter(scope, orgId, Instant.now().minus(longest.billedWithin()));
        if (left.agents() == 0) {
            return Optional.empty();
        }
        // Rounded up to the minute the message names, so that deleting then always works.
        Instant from = left.last().plus(longest.billedWithin()).truncatedTo(ChronoUnit.MINUTES).plus(1,
                ChronoUnit.MINUTES);
        return Optional.of(new DeletionCheck.Obstacle("calls", left.agents(), (left.agents() == 1 ? "An agent"
                : left.agents() + " agents") + " left this organization at " + MINUTE.format(left.last())
                + "; gateway calls begun here may still be running, and are billed here. It can be deleted from "
                + MINUTE.format(from) + "."));
    }
}
