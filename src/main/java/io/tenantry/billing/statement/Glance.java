package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;

/**
 * The business at a glance, for the dashboard's home page: this month against the last
 * per currency, the months before, what needs attention and who stands out. Client
 * organizations only; the operator's own (default) organization is given apart, as
 * {@code own}. Amounts are those of the statements, in each org's currency. A caller whose
 * pages leave out Billing gets the months and nothing else ({@code figures} false); one
 * without the costs permission, revenue alone ({@code costs} false, {@link #withoutCosts}).
 */
@Schema(name = "DashboardSummary")
public record Glance(@Always String month, @Always String previousMonth,
        @Schema(description = "Whether the figures are given: false for a user whose pages do not include "
                + "billing, who gets the months alone, every list empty and clientOrgs 0.") boolean figures,
        @Schema(description = "Whether token cost and margin are given: false for a user without the costs "
                + "permission, who gets revenue alone: every cost and margin null, own null, and the budget, top, "
                + "unpriced, missing-rate and alert lists empty.") boolean costs,
        int clientOrgs,
        @Always List<CurrencyMonth> currencies, @Always List<MonthTotal> trend, OwnOrg own,
        @Always List<BudgetUse> budgets, @Always List<OrgFigures> topByCost, @Always List<OrgFigures> topByMargin,
        @Always List<UnpricedModel> unpriced, @Always List<MissingRate> missingRates,
        @Always List<RecentAlert> recentAlerts) {

    /** The months alone, for a caller who may not see billing figures. */
    static Glance withoutFigures(String month, String previousMonth) {
        return new Glance(month, previousMonth, false, false, 0, List.of(), List.of(), null, List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of());
    }

    /** Revenue alone, for a caller without the costs permission: no cost, margin, budget or pricing gap. */
    Glance withoutCosts() {
        return new Glance(month, previousMonth, figures, false, clientOrgs,
                currencies.stream().map(CurrencyMonth::withoutCosts).toList(),
                trend.stream().map(MonthTotal::withoutCosts).toList(), null, List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of());
    }

    /**
     * One currency's client totals this month, and last month's for the trend. A cost is null
     * when an exchange rate was missing: its USD figure is then the one to compare.
     */
    public record CurrencyMonth(@Always String currency, int orgs, @Always BigDecimal revenue, BigDecimal cost,
            @Always @Schema(types = {"number", "null"}, description = "Null, as every cost and margin here, when "
                    + "costs is false.") BigDecimal costUsd, BigDecimal margin, @Always BigDecimal previousRevenue,
            BigDecimal previousCost, @Always @Schema(types = {"number", "null"}) BigDecimal previousCostUsd,
            BigDecimal previousMargin) {

        CurrencyMonth withoutCosts() {
            return new CurrencyMonth(currency, orgs, revenue, null, null, null, previousRevenue, null, null, null);
        }
    }

    /** One currency's client totals in one month; {@code cost} is null when a rate was missing. */
    public record MonthTotal(@Always String month, @Always String currency, @Always BigDecimal revenue,
            BigDecimal cost, @Always @Schema(types = {"number", "null"}, description = "Null, as cost, when costs "
                    + "is false.") BigDecimal costUsd) {

        MonthTotal withoutCosts() {
            return new MonthTotal(month, currency, revenue, null, null);
        }
    }

    /** The operator's own organization this month: what its agents cost. */
    public record OwnOrg(@Always UUID orgId, @Always String orgName, @Always String currency,
            @Always BigDecimal revenue, BigDecimal cost, @Always BigDecimal costUsd) {
    }

    /** A client past the first alert threshold of its monthly budget. */
    public record BudgetUse(@Always UUID orgId, @Always String orgName, @Always String currency,
            @Always BigDecimal budget, @Always BigDecimal cost, @Always BigDecimal used, boolean over) {
    }

    /** A client's month: cost in its currency (null without a rate) and in USD, so all compare. */
    public record OrgFigures(@Always UUID orgId, @Always String orgName, @Always String currency,
            @Always BigDecimal revenue, BigDecimal cost, @Always BigDecimal costUsd, BigDecimal margin) {
    }

    /** Usage of a model that has no price, in months still open: it is not in any cost yet. */
    public record UnpricedModel(@Always String model, long tokens, int orgs, @Always List<String> months) {
    }

    /** A currency with no rate from USD for a month still open: its orgs' cost and margin are empty. */
    public record MissingRate(@Always String currency, @Always String month, int orgs) {
    }

    /** A budget threshold crossed, newest first. */
    public record RecentAlert(@Always UUID orgId, @Always String orgName,
            @Always @Schema(description = "The agent whose own budget this is; null for the organization's.",
                    nullable = true) UUID agentId,
            @Always @Schema(description = "That agent's name; null for the organization's budget.",
                    nullable = true) String agentName,
            @Always String month, int threshold,
            @Always Instant crossedAt, @Always BigDecimal cost, @Always BigDecimal budget, @Always String currency) {
    }
}
