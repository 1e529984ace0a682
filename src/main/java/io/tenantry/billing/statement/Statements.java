package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.api.Ids;
import io.tenantry.api.Numbers;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Billing as the API shows it: an org's months, one month in detail, and the overview of
 * every org. Closed months come frozen from the archive; open months are computed. An org's
 * billing belongs to its detail view, so it is read in the caller's scope: a user bound to
 * an org reaches that org only.
 */
@Service
public class Statements {

    static final int MAX_MONTHS = 120;

    /**
     * Each client org's statement for a month and their totals per currency; the operator's
     * own (default) org apart, as {@code own}, since it bills no client.
     */
    public record Overview(@Always String month, boolean closed, @Always List<Statement> items,
            @Always List<CurrencyTotal> totals, Statement own) {
    }

    /**
     * The sum over the orgs billing in one currency. {@code cost} and {@code margin} are null
     * when the cost of one of them could not be converted.
     */
    public record CurrencyTotal(@Always String currency, int orgs, @Always BigDecimal revenue, BigDecimal cost, @Always BigDecimal costUsd,
            BigDecimal margin) {
    }

    private final OrganizationService organizations;
    private final OpenStatements open;
    private final StatementArchive archive;
    private final BillingCalendar calendar;
    private final BudgetAlerts alerts;
    private final ScopedTransactions transactions;

    Statements(OrganizationService organizations, OpenStatements open, StatementArchive archive,
            BillingCalendar calendar, BudgetAlerts alerts, ScopedTransactions transactions) {
        this.organizations = organizations;
        this.open = open;
        this.archive = archive;
        this.calendar = calendar;
        this.alerts = alerts;
        this.transactions = transactions;
    }

    /** The last {@code months} months of the org's bill ({@link Statement#ofTheBill}), newest first. */
    public List<Statement> summary(OrgCallContext context, UUID orgId, String months) {
        int count = months(months);
        YearMonth to = BillingMonth.of(context.at());
        YearMonth from = to.minusMonths(count - 1L);
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            Organization org = org(scope, orgId);
            YearMonth created = BillingMonth.of(org.createdAt());
            return statements(scope, org, from, to, context.at(), false).stream().filter(s -> s.ofTheBill(created))
                    .map(s -> s.asSeenBy(context.caller())).toList();
        });
    }

    /** One month of the org's bill ({@link Statement#ofTheBill}), with a line per agent. */
    public Statement month(OrgCallContext context, UUID orgId, String month) {
        YearMonth wanted = pastOrCurrent(BillingMonth.parse("month", month), context.at());
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            Organization org = org(scope, orgId);
            Statement statement = statements(scope, org, wanted, wanted, context.at(), true).get(0);
            YearMonth created = BillingMonth.of(org.createdAt());
            if (!statement.ofTheBill(created)) {
                throw ApiException.badRequest("month", wanted + " is before the organization was created (" + created
                        + "): it has no statement for that month.");
            }
            return statement.asSeenBy(context.caller());
        });
    }

    /** Every org's statement for one month, for owners and admins. */
    public Overview overview(OrgCallContext context, String month) {
        context.requireOperator("see the billing overview of all organizations");
        YearMonth wanted = pastOrCurrent(BillingMonth.parse("month", month), context.at());
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            boolean closed = calendar.isClosed(wanted);
            List<Statement> items = everyOrg(scope, organizations.all(scope), wanted, wanted, context.at());
            List<Statement> clients = items.stream().filter(st -> !DefaultOrg.ID.equals(st.orgId())).toList();
            Statement own = items.stream().filter(st -> DefaultOrg.ID.equals(st.orgId())).findFirst().orElse(null);
            return new Overview(wanted.toString(), closed, clients, totals(clients), own);
        });
    }

    static final int MAX_ORGS_AT_ONCE = 100;

    /**
     * This month so far for each of the orgs named (comma-separated ids, at most
     * {@value #MAX_ORGS_AT_ONCE}), in the order first named (an id named twice is answered
     * once): what the organization cards show. An id the caller may not scope is answered as
     * not found, like the org itself.
     */
    public List<Statement> monthToDate(OrgCallContext context, String orgIds) {
        List<UUID> ids = orgIds(orgIds);
        OrgScope scope = context.scope();
        OrgScope named = scope.narrowedTo(ids);
        YearMonth month = BillingMonth.of(context.at());
        return transactions.read(named, () -> {
            List<Organization> orgs = organizations.all(named);
            if (orgs.size() != ids.size()) {
                throw ApiException.notFound("The organization");
            }
            Map<UUID, Statement> byOrg = new java.util.HashMap<>();
            for (Statement statement : withAlerts(named, open.compute(named, orgs, true, month, month, context.at(),
                    false), month, month)) {
                byOrg.put(statement.orgId(), statement);
            }
            return ids.stream().map(byOrg::get).map(s -> s.asSeenBy(context.caller())).toList();
        });
    }

    private static List<UUID> orgIds(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("orgIds", "Name the organizations: orgIds=<id>,<id>,...");
        }
        String[] parts = value.split(",", MAX_ORGS_AT_ONCE + 2);
        if (parts.length > MAX_ORGS_AT_ONCE) {
            throw ApiException.badRequest("orgIds", "At most " + MAX_ORGS_AT_ONCE + " organizations at once.");
        }
        java.util.LinkedHashSet<UUID> ids = new java.util.LinkedHashSet<>();
        for (String part : parts) {
            // Spaces around an id are forgiven ("a, b"); tabs and control characters are not.
            String id = Fields.spacesTrimmed(part);
            try {
                ids.add(Ids.parse(id));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("orgIds", "orgIds must be organization ids separated by commas.");
            }
        }
        return List.copyOf(ids);
    }

    /**
     * Every org's statement (without lines) for each month in [from, to]: closed months from
     * the archive, open ones computed for the orgs that existed by the end of {@code to}.
     * {@code all} are all the orgs of {@code scope}. Must run inside a transaction of {@code scope}.
     */
    List<Statement> everyOrg(OrgScope scope, List<Organization> all, YearMonth from, YearMonth to, Instant now) {
        List<Statement> items = new ArrayList<>();
        YearMonth firstOpen = from;
        Optional<YearMonth> closedThrough = calendar.closedThrough();
        if (closedThrough.isPresent() && !closedThrough.get().isBefore(from)) {
            YearMonth lastClosed = closedThrough.get().isBefore(to) ? closedThrough.get() : to;
            items.addAll(archive.of(scope, from, lastClosed, false));
            firstOpen = lastClosed.plusMonths(1);
        }
        if (!firstOpen.isAfter(to)) {
            List<Organization> orgs = open.billable(scope, all, to);
            items.addAll(open.compute(scope, orgs, orgs.size() == all.size(), firstOpen, to, now, false));
        }
        return withAlerts(scope, items, from, to);
    }

    public List<BudgetAlerts.Alert> alerts(OrgCallContext context, UUID orgId, String month) {
        OrgScope scope = context.scope();
        YearMonth to = month == null ? BillingMonth.of(context.at())
                : pastOrCurrent(BillingMonth.parse("month", month), context.at());
        YearMonth from = month == null ? to.minusMonths(MAX_MONTHS - 1L) : to;
        return transactions.read(scope, () -> {
            org(scope, orgId);
            return alerts.of(scope.narrowedTo(List.of(orgId)), from, to);
        });
    }

    private List<Statement> statements(OrgScope scope, Organization org, YearMonth from, YearMonth to, Instant now,
            boolean withLines) {
        Optional<YearMonth> closedThrough = calendar.closedThrough();
        Map<YearMonth, Statement> byMonth = new TreeMap<>();
        YearMonth firstOpen = from;
        if (closedThrough.isPresent() && !closedThrough.get().isBefore(from)) {
            YearMonth lastClosed = closedThrough.get().isBefore(to) ? closedThrough.get() : to;
            for (Statement frozen : archive.of(scope.narrowedTo(List.of(org.id())), from, lastClosed, withLines)) {
                byMonth.put(YearMonth.parse(frozen.month()), frozen);
            }
            // A closed month without a frozen statement of the org: the org did not exist yet.
            List<YearMonth> missing = new ArrayList<>();
            for (YearMonth m = from; !m.isAfter(lastClosed); m = m.plusMonths(1)) {
                if (!byMonth.containsKey(m)) {
                    missing.add(m);
                }
            }
            if (!missing.isEmpty()) {
                for (Statement statement : open.compute(scope, List.of(org), false, missing.get(0),
                        missing.get(missing.size() - 1), now, withLines)) {
                    byMonth.putIfAbsent(YearMonth.parse(statement.month()), statement.asClosed());
                }
            }
            firstOpen = lastClosed.plusMonths(1);
        }
        if (!firstOpen.isAfter(to)) {
            for (Statement computed : open.compute(scope, List.of(org), false, firstOpen, to, now, withLines)) {
                byMonth.put(YearMonth.parse(computed.month()), computed);
            }
        }
        List<Statement> newestFirst = new ArrayList<>(byMonth.values());
        Collections.reverse(newestFirst);
        return withAlerts(scope.narrowedTo(List.of(org.id())), newestFirst, from, to);
    }

    /** The statements with the budget thresholds crossed, read for the orgs of {@code scope}. */
    private List<Statement> withAlerts(OrgScope scope, List<Statement> statements,
            YearMonth from, YearMonth to) {
        Map<String, List<Integer>> crossed = alerts.crossed(scope, from, to);
        return statements.stream()
                .map(s -> s.withAlerts(crossed.getOrDefault(s.orgId() + "|" + s.month(), List.of()))).toList();
    }

    static List<CurrencyTotal> totals(List<Statement> items) {
        Map<String, List<Statement>> byCurrency = new TreeMap<>();
        items.forEach(s -> byCurrency.computeIfAbsent(s.currency(), c -> new ArrayList<>()).add(s));
        List<CurrencyTotal> totals = new ArrayList<>();
        byCurrency.forEach((currency, statements) -> {
            BigDecimal revenue = statements.stream().map(Statement::revenue).reduce(BigDecimal.ZERO.setScale(2),
                    BigDecimal::add);
            BigDecimal costUsd = statements.stream().map(Statement::costUsd).reduce(BigDecimal.ZERO.setScale(12),
                    BigDecimal::add);
            boolean converted = statements.stream().allMatch(s -> s.cost() != null);
            BigDecimal cost = converted ? statements.stream().map(Statement::cost)
                    .reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add) : null;
            totals.add(new CurrencyTotal(currency, statements.size(), revenue, cost, costUsd,
                    StatementBuilder.margin(revenue, cost)));
        });
        return totals;
    }

    private Organization org(OrgScope scope, UUID orgId) {
        return organizations.find(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
    }

    private static int months(String value) {
        if (value == null || value.isBlank()) {
            return 12;
        }
        try {
            int months = Numbers.queryWholeNumber(value);
            if (months >= 1 && months <= MAX_MONTHS) {
                return months;
            }
        } catch (IllegalArgumentException e) {
            // answered below, like any other out-of-range value
        }
        throw ApiException.badRequest("months", "months must be a whole number from 1 to " + MAX_MONTHS + ".");
    }

    private static YearMonth pastOrCurrent(YearMonth month, Instant now) {
        if (month.isAfter(BillingMonth.of(now))) {
            throw ApiException.badRequest("month", month + " has not begun: there is nothing to bill yet.");
        }
        return month;
    }
}
