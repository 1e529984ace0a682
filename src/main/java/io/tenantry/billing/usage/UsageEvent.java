package io.tenantry.billing.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.tenantry.crypto.Sha256;

/**
 * One reported use of a model, checked and ready to store. {@code fingerprint} identifies
 * its content as the reporter sent it, so a retry with the same event id can be told from
 * a different event reusing the id. {@code timeGiven} is false where the reporter left
 * occurredAt out and it is the arrival time: a retry arrives later, and is still the same
 * event.
 */
public record UsageEvent(UUID agentId, String eventId, String model, long inputTokens, long outputTokens,
        long cachedInputTokens, Instant occurredAt, boolean timeGiven) {

    /** How far ahead of the server's clock occurredAt may be: reporters' clocks run fast. */
    public static final Duration FUTURE_SKEW = Duration.ofMinutes(5);

    String fingerprint() {
        return Sha256.hex(agentId + "|" + model + "|" + inputTokens + "|" + outputTokens + "|"
                + cachedInputTokens + "|" + (timeGiven ? occurredAt : "on arrival"));
    }
}
