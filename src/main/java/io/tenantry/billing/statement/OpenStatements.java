package io.tenantry.billing.statement;

import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentHolding;
import io.tenantry.agent.AgentRate;
import io.tenantry.agent.AgentService;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.pricing.FxLookup;
import io.tenantry.billing.pricing.FxRates;
import io.tenantry.billing.usage.RollupRow;
import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.organization.OrgRate;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgScope;

/**
 * Computes statements of months that are not closed, from the histories (who held which
 * agent, which rates were in force) and the usage rollups. A fixed number of queries
 * whatever the number of orgs, months or events: each history is read once and split
 * per org in memory.
 */
@Component
class OpenStatements {

    private final AgentService agents;
    private final OrganizationService organizations;
    private final UsageTotals usageTotals;
    private final FxRates fxRates;

    OpenStatements(AgentService agents, OrganizationService organizations, UsageTotals usage, FxRates fxRates) {
        this.agents = agents;
        this.organizations = organizations;
        this.usageTotals = usage;
        this.fxRates = fxRates;
    }

    /**
     * The orgs with a statement for {@code month}: those that existed before it ended, and
     * any created later that were billed usage in it (an agent's clock running behind).
     */
    List<Organization> billable(OrgScope scope, List<Organization> orgs, YearMonth month) {
        Instant end = BillingMonth.end(month);
        Set<UUID> billed = usageTotals.orgsBilled(scope, month);
        return orgs.stream().filter(org -> org.createdAt().isBefore(end) || billed.contains(org.id())).toList();
    }

    /**
     * The statements of {@code orgs} for every month in [from, to], as of {@code now}, newest
     * month first per org. {@code allInScope}: {@code orgs} are all the orgs of the scope,
     * so the histories are read without listing a thousand ids; otherwise they are read for
     * {@code orgs} only. Agents are named from the whole scope. Must run inside a scoped
     * transaction.
     */
    List<Statement> compute(OrgScope scope, List<Organization> orgs, boolean allInScope, YearMonth from,
            YearMonth to, Instant now, boolean withLines) {
        if (orgs.isEmpty()) {
            return List.of();
        }
        OrgScope read = allInScope ? scope : scope.narrowedTo(orgs.stream().map(Organization::id).toList());
        Instant before = BillingMonth.end(to);
        Map<UUID, List<AgentHolding>> holdings = byOrg(agents.holdings(read, before), AgentHolding::orgId);
        Map<UUID, List<OrgRate>> orgRates = byOrg(organizations.rateHistory(read, before), OrgRate::orgId);
        Map<UUID, List<AgentRate>> agentRates = byOrg(agents.rateHistory(read, before), AgentRate::orgId);
        record OrgMonth(UUID orgId, YearMonth month) {
        }
        Map<OrgMonth, List<RollupRow>> usage = new HashMap<>();
        for (RollupRow row : usageTotals.billed(read, from, to, withLines)) {
            usage.computeIfAbsent(new OrgMonth(row.orgId(), row.billedMonth()), k -> new ArrayList<>()).add(row);
        }
        FxLookup fx = fxRates.lookup();

        record Pending(StatementBuilder.OrgTerms terms, YearMonth month, List<AgentRevenue> revenue,
                List<RollupRow> rows) {
        }
        List<Pending> pending = new ArrayList<>();
        Set<UUID> agentIds = new HashSet<>();
        for (Organization org : orgs) {
            RevenueRule rule = new RevenueRule(org.id(), org.proration(), orgRates.getOrDefault(org.id(), List.of()),
                    agentRates.getOrDefault(org.id(), List.of()), holdings.getOrDefault(org.id(), List.of()));
            for (YearMonth month = to; !month.isBefore(from); month = month.minusMonths(1)) {
                String currency = rule.currency(month, now).orElse(org.currency()).name();
                List<AgentRevenue> revenue = rule.lines(month, now);
                List<RollupRow> rows = usage.getOrDefault(new OrgMonth(org.id(), month), List.of());
                pending.add(new Pending(new StatementBuilder.OrgTerms(org.id(), org.name(), currency, org.proration(),
                        org.monthlyBudget()), month, revenue, rows));
                if (withLines) {
                    revenue.forEach(line -> agentIds.add(line.agentId()));
                    rows.forEach(row -> agentIds.add(row.agentId()));
                }
            }
        }
        // An org's statement names the agents it holds now; one that has moved on is named by its
        // id alone, whoever reads or closes the statement: its new org's name for it is not this
        // org's to see, and a closed statement is read by this org's users.
        Map<UUID, Map<UUID, String>> namesByOrg = new HashMap<>();
        if (withLines) {
            agents.names(scope, agentIds).forEach((agent, held) -> namesByOrg
                    .computeIfAbsent(held.orgId(), org -> new HashMap<>()).put(agent, held.name()));
        }
        return pending.stream().map(p -> StatementBuilder.build(p.terms(), p.month(), p.revenue(), p.rows(),
                fx.rate(p.terms().currency(), p.month()), namesByOrg.getOrDefault(p.terms().orgId(), Map.of()),
                withLines)).toList();
    }

    private static <T> Map<UUID, List<T>> byOrg(List<T> rows, Function<T, UUID> org) {
        Map<UUID, List<T>> grouped = new HashMap<>();
        rows.forEach(row -> grouped.computeIfAbsent(org.apply(row), k -> new ArrayList<>()).add(row));
        return grouped;
    }
}
