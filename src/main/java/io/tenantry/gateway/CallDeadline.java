package io.tenantry.gateway;

import java.time.Duration;

/**
 * The moment a gateway call must have ended by ({@link LongestCall}): every wait of the call
 * (for an upstream's first byte, between retries, for the next chunk) is cut to it.
 */
record CallDeadline(long nanos) {

    static CallDeadline after(Duration longest) {
        return new CallDeadline(System.nanoTime() + longest.toNanos());
    }

    /**
     * {@code wait}, or what is left until the deadline where that is less: in whole
     * milliseconds, as waits take them, rounded up, so that a wait cut short by the deadline
     * ends after it.
     */
    Duration within(Duration wait) {
        long leftMillis = Math.max(0, nanos - System.nanoTime() + 999_999) / 1_000_000 + 1;
        return Duration.ofMillis(Math.min(wait.toMillis(), leftMillis));
    }

    boolean passed() {
        return System.nanoTime() - nanos >= 0;
    }

    /** The error code of a call ended at its deadline. */
    static final String CODE = "call_too_long";
}
