package io.tenantry.billing.statement;

import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.RollupLock;
import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Closes months: freezes every org's statement, with a line per agent, as it stands, and
 * from then on bills late usage of the month in the first open month. The budget alerts the
 * month's final figures call for are recorded with it. Closed months form a
 * prefix of time, so closing a month also closes the open months before it.
 */
@Service
public class MonthClosing {

    /** The months a close froze, and how many org statements. */
    @Schema(name = "MonthCloseResult")
    public record Result(@Always List<String> closedMonths, int statements) {
    }

    private final OrganizationService organizations;
    private final OpenStatements open;
    private final UsageTotals usage;
    private final StatementArchive archive;
    private final BillingCalendar calendar;
    private final RollupLock rollupLock;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final BudgetWatch budgets;

    MonthClosing(OrganizationService organizations, OpenStatements open, UsageTotals usage, StatementArchive archive,
            BillingCalendar calendar, RollupLock rollupLock, ScopedTransactions transactions, AuditLog audit,
            BudgetWatch budgets) {
        this.organizations = organizations;
        this.open = open;
        this.usage = usage;
        this.archive = archive;
        this.calendar = calendar;
        this.rollupLock = rollupLock;
        this.transactions = transactions;
        this.audit = audit;
        this.budgets = budgets;
    }

    Result close(OrgCallContext context, String month) {
        context.requireOperator("close billing months");
        YearMonth wanted = BillingMonth.parse("month", month);
        if (!wanted.isBefore(BillingMonth.of(context.at()))) {
            throw ApiException.conflict("month", wanted + " has not ended: only past months can be closed.");
        }
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        if (!reach.isAllOrgs()) {
            throw ApiException.forbidden("Closing a month freezes every organization's billing: it needs a "
                    + "caller who reaches all organizations.");
        }
        context.requireNoNarrowing("Closing a month freezes every organization's billing at once: send it without "
                + "an org context.");
        return transactions.write(reach, () -> {
            rollupLock.exclusive();
            Optional<YearMonth> latest = calendar.closedThrough();
            if (latest.isPresent() && !wanted.isAfter(latest.get())) {
                throw ApiException.conflict("month", "Months up to " + latest.get() + " are closed already.");
            }
            List<Organization> orgs = organizations.all(reach);
            YearMonth firstBillable = firstBillable(reach, orgs);
            if (wanted.isBefore(firstBillable)) {
                throw ApiException.conflict("month", "Nothing is billed before " + firstBillable
                        + " (the first month with an organization or usage): there is no " + wanted + " to close.");
            }
            YearMonth first = latest.map(m -> m.plusMonths(1)).orElse(firstBillable);
            Map<UUID, Organization> byId = new HashMap<>();
            orgs.forEach(org -> byId.put(org.id(), org));
            List<String> closed = new ArrayList<>();
            int count = 0;
            for (YearMonth m = first; !m.isAfter(wanted); m = m.plusMonths(1)) {
                List<Organization> billable = open.billable(reach, orgs, m);
                List<Statement> statements = open.compute(reach, billable, billable.size() == orgs.size(), m, m,
                        context.at(), true);
                // The month's last thresholds, crossed since the budget watch last looked.
                budgets.recordCrossed(inReach, statements, byId);
                for (BudgetWatch.AgentMonth agent : budgets.agentsOver(reach, m, m)) {
                    budgets.recordCrossed(inReach, agent);
                }
                archive.save(reach, statements, context.at());
                calendar.markClosed(m, context.at(), context.actor().label());
                for (Statement statement : statements) {
                    audit.record(inReach, statement.orgId(), "billing.month_closed", "statement",
                            statement.orgId() + "@" + m, null, frozen(statement));
                }
                closed.add(m.toString());
                count += statements.size();
            }
            return new Result(closed, count);
        });
    }

    /** {@link #firstBillable} of every org. Must run inside a transaction of all orgs. */
    YearMonth firstBillableMonth() {
        return firstBillable(OrgScope.allOrgs(), organizations.all(OrgScope.allOrgs()));
    }

    /**
     * The first month anything is billed in: when the oldest org was created (the default
     * org, made at installation), or earlier when usage was imported from before that.
     */
    private YearMonth firstBillable(OrgScope scope, List<Organization> orgs) {
        YearMonth installed = orgs.stream().map(Organization::createdAt).min(Comparator.naturalOrder())
                .map(BillingMonth::of).orElseThrow(() -> new IllegalStateException("the default org is missing"));
        return usage.firstUsageMonth(scope).filter(used -> used.isBefore(installed)).orElse(installed);
    }

    /** What the audit log keeps of a frozen statement: its totals. */
    private static Map<String, Object> frozen(Statement statement) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("month", statement.month());
        state.put("currency", statement.currency());
        state.put("revenue", statement.revenue());
        state.put("cost", statement.cost());
        state.put("costUsd", statement.costUsd());
        state.put("margin", statement.margin());
        state.put("agentsBilled", statement.agentsBilled());
        return state;
    }

    /** Months are closed by the platform itself too, a few days after they end. */
    static OrgCallContext automatic(Instant now) {
        return OrgCallContext.unattended(Actor.system("month-end closing"), true,
                OrgScope.allOrgs(), "close-" + now.toEpochMilli(), now);
    }
}
