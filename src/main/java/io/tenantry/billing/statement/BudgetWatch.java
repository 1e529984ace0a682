package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentService;
import io.tenantry.audit.AuditLog;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.pricing.FxLookup;
import io.tenantry.billing.pricing.FxRates;
import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.jobs.ClusterJobs;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Records when an org's cost this month crosses one of its budget alert thresholds: once
 * per org, month and threshold, in the alert list and the org's audit log. Likewise an
 * agent's own monthly budget, by the agent's cost this month in the org that holds it now
 * (as the gateway counts it against the budget), against the org's thresholds. Last month is
 * checked too until it is closed, and closing it checks it once more: usage of its last
 * minutes, or reported late, is billed in it after the clock has moved on. A threshold counts as crossed by the exact cost, not the
 * rounded percentage shown. Checked every
 * minute (tenantry.billing.budget-check-interval) from the rollups, so it costs the same
 * whatever the volume of usage. Blocking calls over budget is the gateway's (gateway.BudgetHolds).
 */
@Component
public class BudgetWatch {

    private static final Logger log = LoggerFactory.getLogger(BudgetWatch.class);

    private final OrganizationService organizations;
    private final OpenStatements open;
    private final BudgetAlerts alerts;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final ClusterJobs jobs;
    private final BillingCalendar calendar;
    private final AgentService agents;
    private final UsageTotals usage;
    private final FxRates rates;
    private final Duration interval;

    BudgetWatch(OrganizationService organizations, OpenStatements open, BudgetAlerts alerts,
            ScopedTransactions transactions, AuditLog audit, ClusterJobs jobs, BillingCalendar calendar,
            AgentService agents, UsageTotals usage, FxRates rates,
            @Value("${tenantry.billing.budget-check-interval}") Duration interval) {
        this.agents = agents;
        this.usage = usage;
        this.rates = rates;
        this.organizations = organizations;
        this.open = open;
        this.alerts = alerts;
        this.transactions = transactions;
        this.audit = audit;
        this.jobs = jobs;
        this.calendar = calendar;
        this.interval = interval;
    }

    /** Every node ticks; one checks each period. */
    @Scheduled(initialDelayString = "${tenantry.billing.budget-check-interval}",
            fixedDelayString = "${tenantry.billing.budget-check-interval}")
    void checkNow() {
        Instant now = Instant.now();
        jobs.runOnce("budget-watch", interval, now, () -> check(now));
    }

    /**
     * Checks the month of {@code now}, and the one before until it is closed; answers how
     * many thresholds were crossed for the first time. Each org's crossings are recorded in a
     * transaction of their own, so that one org's failure never withholds another's alerts.
     */
    public int check(Instant now) {
        OrgScope all = OrgScope.allOrgs();
        YearMonth current = BillingMonth.of(now);
        OrgCallContext context = OrgCallContext.unattended(Actor.system("budget watch"), true, all,
                "budget-" + now.toEpochMilli(), now);
        record Due(List<Statement> statements, Map<UUID, Organization> orgs) {
        }
        Due due = transactions.read(all, () -> {
            List<Organization> budgeted = organizations.all(all).stream().filter(o -> o.monthlyBudget() != null)
                    .toList();
            if (budgeted.isEmpty()) {
                return new Due(List.of(), Map.of());
            }
            YearMonth from = calendar.isClosed(current.minusMonths(1)) ? current : current.minusMonths(1);
            return new Due(open.compute(all, budgeted, false, from, current, now, false), budgeted.stream()
                    .collect(Collectors.toMap(Organization::id, Function.identity())));
        });
        int crossed = checkAgents(context, current);
        for (Statement statement : due.statements()) {
            if (crossedThresholds(statement, due.orgs().get(statement.orgId())).isEmpty()) {
                continue;
            }
            try {
                crossed += transactions.write(all, () -> recordCrossed(context, List.of(statement), due.orgs()));
            } catch (RuntimeException e) {
                log.error("the budget alerts of org {} for {} could not be recorded; the next check tries again",
                        statement.orgId(), statement.month(), e);
            }
        }
        return crossed;
    }

    /**
     * Records each threshold the statements' exact costs have crossed, once per org, month
     * and threshold, in the alert list and the org's audit log; answers how many were new.
     * Also called by the month closing for the months it freezes, so that a month's alerts
     * never depend on whether the watch ran before the close. Runs inside a write
     * transaction of all orgs; {@code orgs} hold the thresholds, by id.
     */
    int recordCrossed(OrgCallContext context, List<Statement> statements, Map<UUID, Organization> orgs) {
        OrgScope all = OrgScope.allOrgs();
        int crossed = 0;
        for (Statement statement : statements) {
            Organization org = orgs.get(statement.orgId());
            for (int threshold : crossedThresholds(statement, org)) {
                BudgetAlerts.Alert alert = new BudgetAlerts.Alert(org.id(), null, statement.month(), threshold,
                        context.at(), statement.cost(), statement.monthlyBudget(), statement.currency());
                if (alerts.record(all, alert)) {
                    crossed++;
                    audit.record(context, org.id(), "billing.budget_alert", "organization", org.id(), null,
                            Map.of("month", statement.month(), "threshold", threshold, "cost", statement.cost(),
                                    "budget", statement.monthlyBudget(), "currency", statement.currency()));
                }
            }
        }
        return crossed;
    }

    /** An agent's cost in a month, in its org's currency, exact, against its own budget. */
    record AgentMonth(UUID orgId, UUID agentId, YearMonth month, BigDecimal cost, BigDecimal budget, String currency,
            List<Integer> thresholds) {
    }

    /** Agents' crossings this month and, until it is closed, last month; each agent's recorded on its own. */
    private int checkAgents(OrgCallContext context, YearMonth current) {
        OrgScope all = OrgScope.allOrgs();
        List<AgentMonth> due = transactions.read(all, () -> {
            YearMonth from = calendar.isClosed(current.minusMonths(1)) ? current : current.minusMonths(1);
            return agentsOver(all, from, current);
        });
        int crossed = 0;
        for (AgentMonth agent : due) {
            try {
                crossed += transactions.write(all, () -> recordCrossed(context, agent));
            } catch (RuntimeException e) {
                log.error("the budget alerts of agent {} for {} could not be recorded; the next check tries again",
                        agent.agentId(), agent.month(), e);
            }
        }
        return crossed;
    }

    /**
     * The agents with a budget of their own whose cost in [from, to], in the org that holds
     * them now, reached a threshold of that org's. A budget that cannot be compared (no
     * exchange rate for the month) alerts nothing: the org's statement says the rate is missing.
     */
    List<AgentMonth> agentsOver(OrgScope scope, YearMonth from, YearMonth to) {
        List<AgentService.Budgeted> budgeted = agents.budgeted(scope);
        if (budgeted.isEmpty()) {
            return List.of();
        }
        Map<UUID, AgentService.Budgeted> byId = budgeted.stream()
                .collect(Collectors.toMap(AgentService.Budgeted::agentId, Function.identity()));
        Map<UUID, Organization> orgs = organizations.all(scope).stream()
                .collect(Collectors.toMap(Organization::id, Function.identity()));
        FxLookup fx = rates.lookup();
        List<AgentMonth> over = new ArrayList<>();
        for (UsageTotals.AgentSpend spend : usage.agentSpend(scope, from, to, byId.keySet())) {
            AgentService.Budgeted agent = byId.get(spend.agentId());
            Organization org = orgs.get(spend.orgId());
            if (org == null || !agent.orgId().equals(spend.orgId())) {
                continue;
            }
            String currency = org.currency().name();
            Optional<BigDecimal> rate = fx.rate(currency, spend.month());
            if (rate.isEmpty()) {
                continue;
            }
            BigDecimal cost = spend.costUsd().multiply(rate.get());
            List<Integer> thresholds = crossed(cost, agent.monthlyBudget(), org.budgetAlertThresholds());
            if (!thresholds.isEmpty()) {
                over.add(new AgentMonth(org.id(), agent.agentId(), spend.month(), cost, agent.monthlyBudget(),
                        currency, thresholds));
            }
        }
        return over;
    }

    /**
     * Records an agent's crossed thresholds not recorded yet, in the alert list and its org's
     * audit log; answers how many were new. Runs inside a write transaction of all orgs.
     */
    int recordCrossed(OrgCallContext context, AgentMonth agent) {
        int crossed = 0;
        BigDecimal cost = StatementBuilder.money(agent.cost());
        for (int threshold : agent.thresholds()) {
            BudgetAlerts.Alert alert = new BudgetAlerts.Alert(agent.orgId(), agent.agentId(), agent.month().toString(),
                    threshold, context.at(), cost, agent.budget(), agent.currency());
            if (alerts.record(OrgScope.allOrgs(), alert)) {
                crossed++;
                audit.record(context, agent.orgId(), "billing.agent_budget_alert", "agent", agent.agentId(), null,
                        Map.of("month", agent.month().toString(), "threshold", threshold, "cost", cost, "budget",
                                agent.budget(), "currency", agent.currency()));
            }
        }
        return crossed;
    }

    /** The thresholds that an exact cost has reached of a budget, lowest first. */
    private static List<Integer> crossed(BigDecimal cost, BigDecimal budget, List<Integer> thresholds) {
        List<Integer> crossed = new ArrayList<>();
        BigDecimal percentOfBudget = cost.multiply(BigDecimal.valueOf(100));
        for (int threshold : thresholds) {
            if (percentOfBudget.compareTo(budget.multiply(BigDecimal.valueOf(threshold))) < 0) {
                break;
            }
            crossed.add(threshold);
        }
        return crossed;
    }

    /** The thresholds of {@code org} that the statement's exact cost has reached, lowest first. */
    private static List<Integer> crossedThresholds(Statement statement, Organization org) {
        if (org == null || statement.fxRate() == null || statement.monthlyBudget() == null) {
            return List.of();
        }
        return crossed(statement.costUsd().multiply(statement.fxRate()), statement.monthlyBudget(),
                org.budgetAlertThresholds());
    }
}
