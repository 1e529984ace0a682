package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.NumberFormat;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import io.tenantry.billing.usage.RollupRow;
import io.tenantry.tenancy.DefaultOrg;

/**
 * Puts an open month's statement together from the revenue lines and the usage rollups.
 * The one place amounts are rounded. Revenue: each agent's half up to cents, the total
 * their sum (what an invoice adds up). Cost: the total half up to cents from the exact sum,
 * then split over the lines, and each line's over its models, so that they add up to it
 * (CentApportionment); each is within a cent of its exact amount.
 */
final class StatementBuilder {

    /** What a statement needs to know of its org. */
    record OrgTerms(UUID orgId, String name, String currency, String proration, BigDecimal monthlyBudget) {
    }

    /** Marks the one warning about revenue: the others are about cost, and closed months keep their text. */
    private static final String RATE_OF_ZERO = " billed at a rate of 0";

    private StatementBuilder() {
    }

    /**
     * Whether a statement's warning is about its revenue, and so for whoever reads the bill; the
     * others (a missing exchange rate or model price) are about the cost. Unknown text counts as
     * about the cost, so that a warning added later stays with the costs until someone decides.
     */
    static boolean aboutRevenue(String warning) {
        return warning.contains(RATE_OF_ZERO + " (the organization's billingRatePerAgent is 0");
    }

    /**
     * @param fxRate USD -> the org's currency for the month; empty when none is set
     * @param names  agent names, for the lines; agents missing from it are labelled by id
     */
    static Statement build(OrgTerms org, YearMonth month, List<AgentRevenue> revenue, List<RollupRow> rows,
            Optional<BigDecimal> fxRate, Map<UUID, String> names, boolean withLines) {
        BigDecimal revenueTotal = revenue.stream().map(AgentRevenue::revenue).reduce(BigDecimal.ZERO.setScale(2),
                BigDecimal::add);
        BigDecimal exactCost = BigDecimal.ZERO.setScale(12);
        long input = 0;
        long output = 0;
        long cached = 0;
        long unpriced = 0;
        long repriced = 0;
        TreeSet<String> unpricedModels = new TreeSet<>();
        for (RollupRow row : rows) {
            exactCost = exactCost.add(row.costUsd());
            input += row.inputTokens();
            output += row.outputTokens();
            cached += row.cachedInputTokens();
            unpriced += row.unpricedTokens();
            repriced += row.repricedTokens();
            if (row.unpricedTokens() > 0) {
                unpricedModels.add(row.model());
            }
        }
        BigDecimal costUsd = exactCost;
        BigDecimal cost = fxRate.map(rate -> money(costUsd.multiply(rate))).orElse(null);
        BigDecimal margin = margin(revenueTotal, cost);
        // From the exact cost: a cost that rounds to the budget may still be over it.
        BigDecimal budgetUsed = budgetUsed(fxRate.map(costUsd::multiply).orElse(null), org.monthlyBudget());
        // Read by everyone who sees the statement, a client's own users too: each says who fixes it.
        List<String> warnings = new ArrayList<>();
        if (fxRate.isEmpty()) {
            warnings.add("No exchange rate from USD to " + org.currency() + " is set for " + month
                    + " or earlier: the token cost is shown in USD only and the margin is left empty. "
                    + "An owner or admin adds one in Settings -> Exchange rates.");
        }
        if (unpriced > 0) {
            warnings.add(NumberFormat.getIntegerInstance(Locale.ROOT).format(unpriced) + " tokens of usage ("
                    + String.join(", ", unpricedModels) + ") have no model price and are not in the cost: "
                    + "an owner or admin adds the price in Settings -> Models and rerates (usage of a closed month "
                    + "is then billed in the first open month, as an adjustment).");
        }
        // The guide's first question when a bill shows $0: is a rate set? An agent's override of
        // 0 is meant, and the operator's own organization bills nobody, so neither is news.
        long unrated = revenue.stream().filter(r -> !r.rateSet()).count();
        if (unrated > 0 && !DefaultOrg.ID.equals(org.orgId())) {
            warnings.add(unrated + (unrated == 1 ? " agent is" : " agents are") + RATE_OF_ZERO + " (the "
                    + "organization's billingRatePerAgent is 0 and " + (unrated == 1 ? "the agent has" : "they have")
                    + " no override): " + (unrated == 1 ? "its" : "their") + " revenue is 0. If that is not intended, "
                    + "an owner or admin sets the organization's rate (it applies from then on, not to the past).");
        }
        List<Statement.Line> lines = withLines ? lines(revenue, rows, fxRate, cost, names) : null;
        return new Statement(org.orgId(), org.name(), month.toString(), org.currency(), org.proration(), false,
                revenueTotal, cost, costUsd, fxRate.orElse(null), margin, input, output, cached, unpriced,
                repriced, revenue.size(), org.monthlyBudget(), budgetUsed, List.of(), List.copyOf(warnings), lines);
    }

    /**
     * (revenue - cost) / revenue x 100, half up to two decimals; null with no revenue (never
     * 0 % or a division error) or with no cost in the revenue's currency.
     */
    static BigDecimal margin(BigDecimal revenue, BigDecimal cost) {
        return cost == null || revenue.signum() == 0 ? null
                : revenue.subtract(cost).multiply(BigDecimal.valueOf(100)).divide(revenue, 2, RoundingMode.HALF_UP);
    }

    /**
     * Cost (exact, in the budget's currency) as a percentage of the budget, rounded up to two
     * decimals, so that a cost past the budget or a threshold never reads as at or under it
     * (10.0004 of 10.00 is 100.01 %, over); null without either.
     */
    static BigDecimal budgetUsed(BigDecimal cost, BigDecimal budget) {
        return cost == null || budget == null ? null
                : cost.multiply(BigDecimal.valueOf(100)).divide(budget, 2, RoundingMode.CEILING);
    }

    private static List<Statement.Line> lines(List<AgentRevenue> revenue, List<RollupRow> rows,
            Optional<BigDecimal> fxRate, BigDecimal cost, Map<UUID, String> names) {
        record Key(UUID agentId, YearMonth usageMonth, boolean adjustment) {
        }
        Map<Key, List<RollupRow>> usage = new LinkedHashMap<>();
        for (RollupRow row : rows) {
            usage.computeIfAbsent(new Key(row.agentId(), row.usageMonth(), row.adjustment()), k -> new ArrayList<>())
                    .add(row);
        }
        Map<UUID, AgentRevenue> revenueByAgent = new LinkedHashMap<>();
        revenue.forEach(line -> revenueByAgent.put(line.agentId(), line));
        List<Part> parts = new ArrayList<>();
        TreeMap<UUID, Boolean> agents = new TreeMap<>();
        revenueByAgent.keySet().forEach(id -> agents.put(id, true));
        usage.keySet().stream().filter(k -> !k.adjustment()).forEach(k -> agents.put(k.agentId(), true));
        for (UUID agent : agents.keySet()) {
            List<RollupRow> used = usage.entrySet().stream().filter(e -> !e.getKey().adjustment()
                    && e.getKey().agentId().equals(agent)).flatMap(e -> e.getValue().stream()).toList();
            parts.add(new Part(agent, "agent", null, revenueByAgent.get(agent), used));
        }
        usage.forEach((key, used) -> {
            if (key.adjustment()) {
                parts.add(new Part(key.agentId(), "adjustment", key.usageMonth().toString(), null, used));
            }
        });
        List<BigDecimal> costs = fxRate.map(rate -> CentApportionment.split(cost,
                parts.stream().map(part -> part.costUsd().multiply(rate)).toList())).orElse(null);
        List<Statement.Line> lines = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            lines.add(parts.get(i).line(names, fxRate, costs == null ? null : costs.get(i)));
        }
        lines.sort(Comparator.comparing((Statement.Line l) -> l.kind().equals("adjustment"))
                .thenComparing(l -> l.agentName().toLowerCase(Locale.ROOT)).thenComparing(l -> l.agentId())
                .thenComparing(l -> l.usageMonth() == null ? "" : l.usageMonth()));
        return lines;
    }

    /** A line before its cost is known: its agent, its revenue and the usage it bills. */
    private record Part(UUID agent, String kind, String usageMonth, AgentRevenue billed, List<RollupRow> used) {

        BigDecimal costUsd() {
            return used.stream().map(RollupRow::costUsd).reduce(BigDecimal.ZERO.setScale(12), BigDecimal::add);
        }

        /** The line, {@code cost} (its share of the statement's) split over its models the same way. */
        Statement.Line line(Map<UUID, String> names, Optional<BigDecimal> fxRate, BigDecimal cost) {
            Map<String, RollupRow> byModel = new TreeMap<>();
            for (RollupRow row : used) {
                byModel.merge(row.model(), row, RollupRow::plus);
            }
            List<RollupRow> models = List.copyOf(byModel.values());
            List<BigDecimal> modelCosts = fxRate.map(rate -> CentApportionment.split(cost,
                    models.stream().map(row -> row.costUsd().multiply(rate)).toList())).orElse(null);
            List<Statement.ModelCost> costByModel = new ArrayList<>(models.size());
            for (int i = 0; i < models.size(); i++) {
                RollupRow row = models.get(i);
                costByModel.add(new Statement.ModelCost(row.model(), row.inputTokens(), row.outputTokens(),
                        row.cachedInputTokens(), row.unpricedTokens(), row.repricedTokens(), row.costUsd(),
                        modelCosts == null ? null : modelCosts.get(i)));
            }
            String name = names.getOrDefault(agent, departed(agent));
            return new Statement.Line(agent, name, kind, usageMonth, billed == null ? null : billed.rate(),
                    billed == null ? null : billed.daysBilled(),
                    billed == null ? BigDecimal.ZERO.setScale(2) : billed.revenue(), costUsd(), cost,
                    used.stream().mapToLong(RollupRow::inputTokens).sum(),
                    used.stream().mapToLong(RollupRow::outputTokens).sum(),
                    used.stream().mapToLong(RollupRow::cachedInputTokens).sum(),
                    used.stream().mapToLong(RollupRow::unpricedTokens).sum(),
                    used.stream().mapToLong(RollupRow::repricedTokens).sum(), List.copyOf(costByModel));
        }
    }

    /**
     * How an org's statements and alerts name an agent it no longer holds: by its id alone,
     * since a name given to it since is its new org's.
     */
    static String departed(UUID agent) {
        return "Agent " + agent.toString().substring(0, 8) + " (no longer in this organization)";
    }

    /** The rounding rule: half up to cents, applied once to each amount shown. */
    static BigDecimal money(BigDecimal exact) {
        return exact.setScale(2, RoundingMode.HALF_UP);
    }
}
