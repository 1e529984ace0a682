package io.tenantry.agent;

import java.time.Instant;

/** How many agents left an org in a span of time (moved away, or deleted while in it), and when the last one did; null for none. */
public record Departures(long agents, Instant last) {
}
