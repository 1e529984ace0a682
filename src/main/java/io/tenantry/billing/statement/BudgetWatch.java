package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.tenantry.audit.AuditLog;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.jobs.ClusterJobs;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Records when an org's cost this month crosses one of its budget alert thresholds: once
 * per org, month and threshold, in the alert list and the org's audit log. Last month is
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
    private final Duration interval;

    BudgetWatch(OrganizationService organizations, OpenStatements open, BudgetAlerts alerts,
            ScopedTransactions transactions, AuditLog audit, ClusterJobs jobs, BillingCalendar calendar,
            @Value("${tenantry.billing.budget-check-interval}") Duration interval) {
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
        int crossed = 0;
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
                BudgetAlerts.Alert alert = new BudgetAlerts.Alert(org.id(), statement.month(), threshold,
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

    /** The thresholds of {@code org} that the statement's exact cost has reached, lowest first. */
    private static List<Integer> crossedThresholds(Statement statement, Organization org) {
        List<Integer> crossed = new ArrayList<>();
        if (org == null || statement.fxRate() == null || statement.monthlyBudget() == null) {
            return crossed;
        }
        BigDecimal percentOfBudget = statement.costUsd().multiply(statement.fxRate()).multiply(BigDecimal.valueOf(100));
        for (int threshold : org.budgetAlertThresholds()) {
            if (percentOfBudget.compareTo(statement.monthlyBudget().multiply(BigDecimal.valueOf(threshold))) < 0) {
                break;
            }
            crossed.add(threshold);
        }
        return crossed;
    }
}
