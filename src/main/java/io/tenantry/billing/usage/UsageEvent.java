package io.tenantry.billing.usage;

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

    String fingerprint() {
        return Sha256.hex(agentId + "|" + model + "|" + inputTokens + "|" + outputTokens + "|"
                + cachedInputTokens + "|" + (timeGiven ? occurredAt : "on arrival"));
    }
}
