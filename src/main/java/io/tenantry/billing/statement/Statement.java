package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An org's billing for one month, in its currency. {@code costUsd} is exact; {@code cost},
 * {@code revenue} and every line's amounts are rounded half up to cents, once. {@code cost}
 * and {@code margin} are null when no exchange rate converts the cost; {@code margin} is
 * also null when there is no revenue. {@code lines} are given on the detailed view only.
 */
public record Statement(UUID orgId, String orgName, String month, String currency, String proration, boolean closed,
        BigDecimal revenue, BigDecimal cost, BigDecimal costUsd, BigDecimal fxRate, BigDecimal margin,
        long inputTokens, long outputTokens, long cachedInputTokens, long unpricedTokens, int agentsBilled,
        BigDecimal monthlyBudget, BigDecimal budgetUsed, List<Integer> budgetAlerts, List<String> warnings,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Line> lines) {

    /**
     * One agent's part of the month, or (kind "adjustment") usage of an earlier, closed
     * month ({@code usageMonth}) that arrived or was priced after that month closed.
     */
    @Schema(name = "StatementLine")
    public record Line(UUID agentId, String agentName, String kind, String usageMonth, BigDecimal rate,
            Integer daysBilled, BigDecimal revenue, BigDecimal costUsd, BigDecimal cost, long inputTokens,
            long outputTokens, long cachedInputTokens, long unpricedTokens, List<ModelCost> costByModel) {
    }

    public record ModelCost(String model, long inputTokens, long outputTokens, long cachedInputTokens,
            long unpricedTokens, BigDecimal costUsd, BigDecimal cost) {
    }

    Statement withAlerts(List<Integer> alerts) {
        return new Statement(orgId, orgName, month, currency, proration, closed, revenue, cost, costUsd, fxRate, margin,
                inputTokens, outputTokens, cachedInputTokens, unpricedTokens, agentsBilled, monthlyBudget,
                budgetUsed, alerts, warnings, lines);
    }

    Statement asClosed() {
        return new Statement(orgId, orgName, month, currency, proration, true, revenue, cost, costUsd, fxRate, margin,
                inputTokens, outputTokens, cachedInputTokens, unpricedTokens, agentsBilled, monthlyBudget,
                budgetUsed, budgetAlerts, warnings, lines);
    }
}
