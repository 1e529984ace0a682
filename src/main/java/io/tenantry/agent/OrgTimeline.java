package io.tenantry.agent;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Which org held one agent when, from its assignment history (oldest first). Read once,
 * it answers any number of "which org at this time" questions without another query.
 */
public record OrgTimeline(UUID agentId, List<Entry> entries) {

    /** From {@code since} on, {@code orgId} held the agent (or, for a removal, had last held it). */
    public record Entry(Instant since, UUID orgId) {
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
}
