package io.tenantry.billing.usage;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.UUID;

/**
 * Usage of one agent and model, billed to one org in one month. {@code usageMonth} before
 * {@code billedMonth} makes it an adjustment: usage of a closed month that arrived, or was
 * priced, after the month closed. {@code costUsd} is exact; {@code unpricedTokens} are the
 * tokens still without a price (not in the cost). {@code repricedTokens} are tokens of a
 * closed usage month, counted there as unpriced and priced since: their cost is in
 * {@code costUsd}, and they are not counted as usage again.
 */
public record RollupRow(UUID orgId, YearMonth billedMonth, UUID agentId, String model, YearMonth usageMonth, long events,
        long inputTokens, long outputTokens, long cachedInputTokens, BigDecimal costUsd, long unpricedTokens,
        long repricedTokens) {

    String key() {
        return orgId + "|" + billedMonth + "|" + agentId + "|" + model + "|" + usageMonth;
    }

    public RollupRow plus(RollupRow other) {
        return new RollupRow(orgId, billedMonth, agentId, model, usageMonth, events + other.events,
                inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cachedInputTokens + other.cachedInputTokens, costUsd.add(other.costUsd),
                unpricedTokens + other.unpricedTokens, repricedTokens + other.repricedTokens);
    }

    public boolean adjustment() {
        return usageMonth.isBefore(billedMonth);
    }
}
