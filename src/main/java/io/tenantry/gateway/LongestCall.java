package io.tenantry.gateway;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * How long a gateway call may run ({@code TENANTRY_GATEWAY_MAX_CALL_DURATION}), from its
 * arrival to its last byte, retries and fallbacks included; one running longer is ended,
 * billed for what it streamed. Knowing no call runs longer is what tells when an organization
 * its agents have left can no longer be billed for a call begun there.
 */
@Component
class LongestCall {

    /** Beyond the call itself: how long its metering may take to commit (bounded by what the call lasts, for short ones). */
    private static final Duration METERING = Duration.ofMinutes(1);

    private final Duration longest;

    LongestCall(@Value("${tenantry.gateway.max-call-duration}") Duration longest) {
        this.longest = longest;
    }

    /** The deadline of a call arriving now. */
    CallDeadline fromNow() {
        return CallDeadline.after(longest);
    }

    /** How long after an agent left an org a call it began there may still be billed to that org. */
    Duration billedWithin() {
        return longest.plus(longest.compareTo(METERING) < 0 ? longest : METERING);
    }

    String tooLong() {
        return "The call ran longer than the gateway allows (" + longest.toSeconds() + " s)";
    }
}
