package io.tenantry.gateway;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentService;
import io.tenantry.agent.Departures;
import io.tenantry.organization.DeletionCheck;
import io.tenantry.organization.OrgDeletionGuard;
import io.tenantry.tenancy.OrgScope;

/**
 * A gateway call is billed to the org that served it, also when its agent moved away (or
 * was deleted) while it ran; usage for a deleted org's time is refused, so an org deleted
 * before such a call ends would lose its usage and its request log line. Calls in flight are
 * known to no table (a row per call would cost every call a write), but none runs longer
 * than {@link LongestCall}: an org stays undeletable that long after an agent left it.
 */
@Component
class CallsBegunHere implements OrgDeletionGuard {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final AgentService agents;
    private final LongestCall longest;

    CallsBegunHere(AgentService agents, LongestCall longest) {
        this.agents = agents;
        this.longest = longest;
    }

    @Override
    public Optional<DeletionCheck.Obstacle> obstacleToDeletion(OrgScope scope, UUID orgId) {
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
