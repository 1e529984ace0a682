package io.tenantry.guardrail;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;

/**
 * What a check knows besides the text, read before the rules judge it so that they judge
 * without I/O: when it happens, in the organization's time zone (off_hours rules), and how
 * many checks each rate rule has counted for the agent in its current window, this one
 * included (absent in a dry run, which counts nothing), and what its regex rules may still
 * spend (one clock for every text of a gateway call).
 */
record Circumstances(Instant at, ZoneId zone, Map<UUID, Long> rateCounts, RegexClock regexClock) {

    /** A check of its own: its regex rules get the whole of a clock's budget. */
    Circumstances(Instant at, ZoneId zone, Map<UUID, Long> rateCounts) {
        this(at, zone, rateCounts, new RegexClock());
    }
}
