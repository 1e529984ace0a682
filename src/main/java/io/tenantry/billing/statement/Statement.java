package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;
import io.tenantry.tenancy.Caller;

/**
 * An org's billing for one month, in its currency. {@code costUsd} is exact; {@code revenue}
 * and each line's are rounded half up to cents, once; {@code cost} too, and the lines' and
 * their models' costs are shares of it that add up to it (StatementBuilder). {@code cost}
 * and {@code margin} are null when no exchange rate converts the cost; {@code margin} is
 * also null when there is no revenue. {@code lines} are given on the detailed view only.
 * {@code repricedTokens} are tokens of an earlier, closed month that its statement showed as
 * unpriced and that were priced after it closed: their cost is in this month's, and they are
 * not counted as usage again (input, output and cached tokens are this month's usage).
 * Without the costs permission (a client's user given Billing alone) a statement is the bill
 * alone ({@link #asSeenBy}).
 */
public record Statement(@Always UUID orgId, @Always String orgName, @Always String month, @Always String currency, @Always String proration, boolean closed,
        @Always BigDecimal revenue, BigDecimal cost,
        @Always @Schema(types = {"number", "null"}, description = "The exact token cost in USD. Null, as cost, "
                + "fxRate, margin, monthlyBudget, budgetUsed and every line's costs, for a user without the costs "
                + "permission, who also gets no budgetAlerts and only the warnings about revenue.")
        BigDecimal costUsd, BigDecimal fxRate, BigDecimal margin,
        long inputTokens, long outputTokens, long cachedInputTokens, long unpricedTokens,
        @Schema(description = "Tokens of earlier, closed months that were unpriced when they closed and are priced "
                + "now: their cost is in this month's, they are not counted as usage again.") long repricedTokens,
        int agentsBilled,
        BigDecimal monthlyBudget, BigDecimal budgetUsed, @Always List<Integer> budgetAlerts, @Always List<String> warnings,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Line> lines) {

    /**
     * One agent's part of the month, or (kind "adjustment") usage of an earlier, closed
     * month ({@code usageMonth}) that arrived or was priced after that month closed.
     */
    @Schema(name = "StatementLine")
    public record Line(@Always UUID agentId, @Always String agentName, @Always String kind, String usageMonth, BigDecimal rate,
            Integer daysBilled, @Always BigDecimal revenue,
            @Always @Schema(types = {"number", "null"}, description = "Null, as cost and costByModel, for a user "
                    + "without the costs permission.") BigDecimal costUsd,
            BigDecimal cost, long inputTokens, long outputTokens, long cachedInputTokens, long unpricedTokens,
            long repricedTokens, List<ModelCost> costByModel) {

        Line withoutCosts() {
            return new Line(agentId, agentName, kind, usageMonth, rate, daysBilled, revenue, null, null, inputTokens,
                    outputTokens, cachedInputTokens, unpricedTokens, repricedTokens, null);
        }
    }

    public record ModelCost(@Always String model, long inputTokens, long outputTokens, long cachedInputTokens,
            long unpricedTokens, long repricedTokens, @Always BigDecimal costUsd, BigDecimal cost) {
    }

    /**
     * Whether this is a month of the org's bill: one since the org was created (in month
     * {@code created}), or an earlier one where usage was billed (imported, or a clock
     * behind). An earlier month without any was frozen by no close, and a statement computed
     * for it would follow the org's settings of today.
     */
    boolean ofTheBill(YearMonth created) {
        return !YearMonth.parse(month).isBefore(created) || billsAnything();
    }

    /** Whether the month bills anything: revenue, a cost or tokens (a late pricing's only repriced ones). */
    boolean billsAnything() {
        return revenue.signum() != 0 || costUsd.signum() != 0
                || inputTokens + outputTokens + cachedInputTokens + unpricedTokens + repricedTokens > 0;
    }

    /**
     * The statement as {@code caller} may see it: without the costs permission, the bill alone
     * (revenue and usage), with no token cost, margin, exchange rate or budget, nor the warnings
     * about them.
     */
    Statement asSeenBy(Caller caller) {
        if (caller.seesCosts()) {
            return this;
        }
        return new Statement(orgId, orgName, month, currency, proration, closed, revenue, null, null, null, null,
                inputTokens, outputTokens, cachedInputTokens, unpricedTokens, repricedTokens, agentsBilled, null, null,
                List.of(), warnings.stream().filter(StatementBuilder::aboutRevenue).toList(),
                lines == null ? null : lines.stream().map(Line::withoutCosts).toList());
    }

    Statement withAlerts(List<Integer> alerts) {
        return new Statement(orgId, orgName, month, currency, proration, closed, revenue, cost, costUsd, fxRate, margin,
                inputTokens, outputTokens, cachedInputTokens, unpricedTokens, repricedTokens, agentsBilled,
                monthlyBudget, budgetUsed, alerts, warnings, lines);
    }

    Statement asClosed() {
        return new Statement(orgId, orgName, month, currency, proration, true, revenue, cost, costUsd, fxRate, margin,
                inputTokens, outputTokens, cachedInputTokens, unpricedTokens, repricedTokens, agentsBilled,
                monthlyBudget, budgetUsed, budgetAlerts, warnings, lines);
    }
}
