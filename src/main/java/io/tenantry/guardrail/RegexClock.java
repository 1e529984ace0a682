package io.tenantry.guardrail;

import java.time.Duration;

/**
 * The regex matching time one check or one gateway call may spend, all its texts and rules
 * together: a streamed answer is judged chunk by chunk and choice by choice, and a budget
 * per text would be spent again on each. Spent time is counted, not wall time, so a long
 * stream whose rules match quickly is never out of time for having lasted.
 */
final class RegexClock {

    /**
     * Far beyond what judging takes (well under a millisecond for the texts of a day, some
     * tenths of a second for megabytes), short of what one org's rules could otherwise take
     * from every other org sharing the server's cores.
     */
    static final Duration BUDGET = Duration.ofSeconds(2);

    private long spentNanos;

    boolean outOfTime() {
        return spentNanos >= BUDGET.toNanos();
    }

    /** The deadline of a match starting at {@code startedNanos}: what is left of the budget. */
    long deadlineFrom(long startedNanos) {
        return startedNanos + Math.max(0, BUDGET.toNanos() - spentNanos);
    }

    void spend(long nanos) {
        spentNanos += nanos;
    }
}
