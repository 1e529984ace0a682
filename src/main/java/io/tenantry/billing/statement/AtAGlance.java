package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentService;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.usage.RollupRow;
import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Builds the home page's {@link Glance} in one read of the request's scope (the caller's
 * reach, narrowed by an org context): the statements of the last {@value #MONTHS} months, the
 * usage of the open months for unpriced models, and the budget alerts of this month and the
 * last. A user bound to an org, or an operator in its context, sees that org only.
 */
@Service
class AtAGlance {

    static final int MONTHS = 6;
    static final int TOP = 5;
    static final int RECENT_ALERTS = 10;
    /** Where an org without thresholds counts as near its budget. */
    static final int NEAR_BUDGET = 80;

    private final Statements statements;
    private final OrganizationService organizations;
    private final UsageTotals usage;
    private final BudgetAlerts alerts;
    private final BillingCalendar calendar;
    private final ScopedTransactions transactions;
    private final AgentService agents;

    AtAGlance(Statements statements, OrganizationService organizations, UsageTotals usage, BudgetAlerts alerts,
            BillingCalendar calendar, ScopedTransactions transactions, AgentService agents) {
        this.agents = agents;
        this.statements = statements;
        this.organizations = organizations;
        this.usage = usage;
        this.alerts = alerts;
        this.calendar = calendar;
        this.transactions = transactions;
    }

    Glance of(OrgCallContext context) {
        OrgScope scope = context.scope();
        YearMonth month = BillingMonth.of(context.at());
        YearMonth previous = month.minusMonths(1);
        if (!context.caller().seesBilling()) {
            return Glance.withoutFigures(month.toString(), previous.toString());
        }
        YearMonth from = month.minusMonths(MONTHS - 1L);
        return transactions.read(scope, () -> {
            List<Organization> reachable = organizations.all(scope);
            Map<UUID, Organization> orgs = new HashMap<>();
            reachable.forEach(org -> orgs.put(org.id(), org));
            List<Statement> all = statements.everyOrg(scope, reachable, from, month, context.at()).stream()
                    .filter(s -> existed(orgs.get(s.orgId()), s)).toList();
            List<Statement> clients = all.stream().filter(s -> !DefaultOrg.ID.equals(s.orgId())).toList();
            List<Statement> now = inMonth(clients, month);
            YearMonth firstOpen = calendar.closedThrough().map(c -> c.plusMonths(1)).filter(m -> m.isAfter(from))
                    .orElse(from);
            Glance glance = new Glance(month.toString(), previous.toString(), true, true, now.size(),
                    currencies(now, inMonth(clients, previous)), trend(clients), own(inMonth(all, month)),
                    budgets(now, orgs), top(now, Comparator.comparing(Statement::costUsd).reversed()),
                    top(now.stream().filter(s -> s.margin() != null).toList(),
                            Comparator.comparing(Statement::margin).reversed()),
                    unpriced(scope, firstOpen, month), missingRates(all, firstOpen),
                    recentAlerts(scope, previous, month, orgs));
            return context.caller().seesCosts() ? glance : glance.withoutCosts();
        });
    }

    /** Months before an org was created are left out, unless usage was billed in them ({@link Statement#ofTheBill}). */
    private static boolean existed(Organization org, Statement s) {
        return org == null || s.ofTheBill(BillingMonth.of(org.createdAt()));
    }

    private static List<Statement> inMonth(List<Statement> statements, YearMonth month) {
        String wanted = month.toString();
        return statements.stream().filter(s -> s.month().equals(wanted)).toList();
    }

    /**
     * This month against the last, per currency: a currency billed last month and by no one
     * this month (its clients gone, or billing in another currency now) still shows, at 0.
     */
    private static List<Glance.CurrencyMonth> currencies(List<Statement> now, List<Statement> before) {
        Map<String, Statements.CurrencyTotal> last = new LinkedHashMap<>();
        Statements.totals(before).forEach(t -> last.put(t.currency(), t));
        List<Glance.CurrencyMonth> result = new ArrayList<>();
        BigDecimal zero = BigDecimal.ZERO.setScale(2);
        for (Statements.CurrencyTotal t : Statements.totals(now)) {
            Statements.CurrencyTotal p = last.remove(t.currency());
            result.add(new Glance.CurrencyMonth(t.currency(), t.orgs(), t.revenue(), t.cost(), t.costUsd(), t.margin(),
                    p == null ? zero : p.revenue(), p == null ? zero : p.cost(), p == null ? zero : p.costUsd(),
                    p == null ? null : p.margin()));
        }
        last.values().forEach(p -> result.add(new Glance.CurrencyMonth(p.currency(), 0, zero, zero, zero, null,
                p.revenue(), p.cost(), p.costUsd(), p.margin())));
        return result;
    }

    /** Client totals per month and currency, oldest first. */
    private static List<Glance.MonthTotal> trend(List<Statement> clients) {
        Map<String, List<Statement>> byMonth = new TreeMap<>();
        clients.forEach(s -> byMonth.computeIfAbsent(s.month(), m -> new ArrayList<>()).add(s));
        List<Glance.MonthTotal> result = new ArrayList<>();
        byMonth.forEach((month, statements) -> Statements.totals(statements).forEach(t -> result.add(
                new Glance.MonthTotal(month, t.currency(), t.revenue(), t.cost(), t.costUsd()))));
        return result;
    }

    private static Glance.OwnOrg own(List<Statement> month) {
        return month.stream().filter(s -> DefaultOrg.ID.equals(s.orgId())).findFirst()
                .map(s -> new Glance.OwnOrg(s.orgId(), s.orgName(), s.currency(), s.revenue(), s.cost(), s.costUsd()))
                .orElse(null);
    }

    /** Clients past their first alert threshold, the most used first. */
    private static List<Glance.BudgetUse> budgets(List<Statement> now, Map<UUID, Organization> orgs) {
        return now.stream().filter(s -> s.budgetUsed() != null)
                .filter(s -> s.budgetUsed().compareTo(BigDecimal.valueOf(firstThreshold(orgs.get(s.orgId())))) >= 0)
                .sorted(Comparator.comparing(Statement::budgetUsed).reversed())
                .map(s -> new Glance.BudgetUse(s.orgId(), s.orgName(), s.currency(), s.monthlyBudget(), s.cost(),
                        s.budgetUsed(), s.budgetUsed().compareTo(BigDecimal.valueOf(100)) > 0))
                .toList();
    }

    private static int firstThreshold(Organization org) {
        return org == null || org.budgetAlertThresholds().isEmpty() ? NEAR_BUDGET
                : org.budgetAlertThresholds().stream().min(Integer::compare).orElseThrow();
    }

    private static List<Glance.OrgFigures> top(List<Statement> now, Comparator<Statement> order) {
        return now.stream().sorted(order.thenComparing(Statement::orgName)).limit(TOP)
                .map(s -> new Glance.OrgFigures(s.orgId(), s.orgName(), s.currency(), s.revenue(), s.cost(),
                        s.costUsd(), s.margin()))
                .toList();
    }

    /** Models with unpriced usage billed in an open month, the most tokens first. */
    private List<Glance.UnpricedModel> unpriced(OrgScope scope, YearMonth firstOpen, YearMonth month) {
        record Seen(long[] tokens, java.util.Set<UUID> orgs, TreeSet<String> months) {
        }
        Map<String, Seen> byModel = new TreeMap<>();
        for (RollupRow row : usage.unpriced(scope, firstOpen, month)) {
            if (row.unpricedTokens() > 0) {
                Seen seen = byModel.computeIfAbsent(row.model(),
                        m -> new Seen(new long[1], new java.util.HashSet<>(), new TreeSet<>()));
                seen.tokens()[0] += row.unpricedTokens();
                seen.orgs().add(row.orgId());
                seen.months().add(row.billedMonth().toString());
            }
        }
        return byModel.entrySet().stream()
                .map(e -> new Glance.UnpricedModel(e.getKey(), e.getValue().tokens()[0], e.getValue().orgs().size(),
                        List.copyOf(e.getValue().months())))
                .sorted(Comparator.comparingLong(Glance.UnpricedModel::tokens).reversed())
                .toList();
    }

    /** Currencies and open months without a rate, the newest month first. */
    private static List<Glance.MissingRate> missingRates(List<Statement> all, YearMonth firstOpen) {
        Map<String, Integer> orgs = new TreeMap<>(Comparator.reverseOrder());
        for (Statement s : all) {
            if (s.fxRate() == null && !YearMonth.parse(s.month()).isBefore(firstOpen)) {
                orgs.merge(s.month() + "|" + s.currency(), 1, Integer::sum);
            }
        }
        return orgs.entrySet().stream().map(e -> new Glance.MissingRate(e.getKey().substring(8),
                e.getKey().substring(0, 7), e.getValue())).toList();
    }

    private List<Glance.RecentAlert> recentAlerts(OrgScope scope, YearMonth from, YearMonth to,
            Map<UUID, Organization> orgs) {
        List<BudgetAlerts.Alert> recent = alerts.of(scope, from, to).stream()
                .filter(a -> orgs.containsKey(a.orgId()))
                .sorted(Comparator.comparing(BudgetAlerts.Alert::crossedAt).reversed())
                .limit(RECENT_ALERTS)
                .toList();
        Map<UUID, AgentService.HeldName> names = agents.names(scope, recent.stream()
                .map(BudgetAlerts.Alert::agentId).filter(java.util.Objects::nonNull).collect(Collectors.toSet()));
        return recent.stream().map(a -> new Glance.RecentAlert(a.orgId(), orgs.get(a.orgId()).name(), a.agentId(),
                a.agentId() == null ? null : agentName(a, names.get(a.agentId())), a.month(), a.threshold(),
                a.crossedAt(), a.cost(), a.budget(), a.currency())).toList();
    }

    /** The agent's name while its org still holds it; after, its id alone, as statements name it. */
    private static String agentName(BudgetAlerts.Alert alert, AgentService.HeldName held) {
        return held != null && held.orgId().equals(alert.orgId()) ? held.name()
                : StatementBuilder.departed(alert.agentId());
    }
}
