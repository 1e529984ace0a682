package io.tenantry.billing.usage;

import java.math.BigDecimal;
import java.time.Instant;

import io.tenantry.api.Always;

/**
 * What the server answers for a stored usage event: the event as stored, the same for the
 * first report and every retry, except that a retry after a rerate priced the event gives its
 * price. {@code costUsd} is exact and null while the model has no price ({@code priced}
 * false): such usage is counted and priced once a price exists.
 */
public record UsageReceipt(@Always String eventId, @Always String model, long inputTokens, long outputTokens,
        long cachedInputTokens, @Always Instant occurredAt, boolean priced, BigDecimal costUsd) {
}
