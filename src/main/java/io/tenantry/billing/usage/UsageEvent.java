package io.tenantry.billing.usage;

import java.time.Instant;
import java.util.UUID;

import io.tenantry.crypto.Sha256;

/**
 * One reported use of a model, checked and ready to store. {@code fingerprint} identifies
 * its content, so a retry with the same event id can be told from a different event
 * reusing the id.
 */
public record UsageEvent(UUID agentId, String eventId, String model, long inputTokens, long outputTokens,
        long cachedInputTokens, Instant occurredAt) {

    String fingerprint() {
        return Sha256.hex(agentId + "|" + model + "|" + inputTokens + "|" + outputTokens + "|"
                + cachedInputTokens + "|" + occurredAt);
    }
}
