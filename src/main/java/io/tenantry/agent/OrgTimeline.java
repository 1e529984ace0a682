package io.tenantry.agent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Which org held one agent when, from its assignment history (oldest first). Read once,
 * it answers any number of "which org at this time" questions without another query.
 */
public record OrgTimeline(UUID agentId, List<Entry> entries) {

    /**
     * From {@code since} on, {@code orgId} held the agent; for a removal, the agent was
     * deleted then while {@code orgId} held it.
     */
    public record Entry(Instant since, UUID orgId, boolean removal) {
    }

    /**
     * The org that held the agent at {@code at}; for a time before the agent existed (a
     * clock running behind), the org it was created in.
     */
    public UUID orgAt(Instant at) {
        UUID holder = entries.get(0).orgId();
        for (Entry entry : entries) {
            if (entry.since().isAfter(at)) {
                break;
            }
            holder = entry.orgId();
        }
        return holder;
    }

    /**
     * The last microsecond at or before {@code at} at which {@code orgId} held the agent,
     * if it held it by then.
     */
    public Optional<Instant> lastMomentOf(UUID orgId, Instant at) {
        Instant last = null;
        for (int i = 0; i < entries.size() && !entries.get(i).since().isAfter(at); i++) {
            if (entries.get(i).orgId().equals(orgId) && !entries.get(i).removal()) {
                boolean leftBy = i + 1 < entries.size() && !entries.get(i + 1).since().isAfter(at);
                last = leftBy ? entries.get(i + 1).since().minus(1, ChronoUnit.MICROS) : at;
            }
        }
        return Optional.ofNullable(last);
    }

    /**
     * The org holding the agent now, which therefore exists (an agent's org cannot be
     * deleted); empty for a deleted agent, whose last org may be gone.
     */
    public Optional<UUID> currentOrg() {
        Entry last = entries.get(entries.size() - 1);
        return last.removal() ? Optional.empty() : Optional.of(last.orgId());
    }
}
