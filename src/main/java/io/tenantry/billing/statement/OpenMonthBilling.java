package io.tenantry.billing.statement;

import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.RollupLock;
import io.tenantry.billing.usage.UsageEvent;
import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.organization.DeletionCheck;
import io.tenantry.organization.OrgDeletionGuard;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgScope;

/**
 * An org billed in a month not yet closed cannot be deleted: open months are computed from
 * the orgs that exist, so its revenue and cost would leave every statement and total, even
 * once the month closes. After the close its statements are frozen and kept, deleted or not.
 * The delete holds usage back while it checks and commits, and usage for a deleted org's
 * time is refused from then on (UsageIngestion), so nothing lands where no bill shows it.
 */
@Component
class OpenMonthBilling implements OrgDeletionGuard {

    private final OrganizationService organizations;
    private final OpenStatements open;
    private final UsageTotals usage;
    private final BillingCalendar calendar;
    private final RollupLock rollupLock;

    OpenMonthBilling(OrganizationService organizations, OpenStatements open, UsageTotals usage,
            BillingCalendar calendar, RollupLock rollupLock) {
        this.rollupLock = rollupLock;
        this.organizations = organizations;
        this.open = open;
        this.usage = usage;
        this.calendar = calendar;
    }

    /** Usage may be dated a few minutes ahead, so next month may be billed already. */
    static YearMonth latestBillable(Instant now) {
        return BillingMonth.of(now.plus(UsageEvent.FUTURE_SKEW));
    }

    @Override
    public void holdStillForDeletion() {
        rollupLock.exclusive();
    }

    @Override
    public Optional<DeletionCheck.Obstacle> obstacleToDeletion(OrgScope scope, UUID orgId) {
        Optional<Organization> org = organizations.find(scope, orgId);
        if (org.isEmpty()) {
            return Optional.empty();
        }
        OrgScope ofOrg = scope.narrowedTo(List.of(orgId));
        Instant now = Instant.now();
        YearMonth current = latestBillable(now);
        YearMonth from = calendar.closedThrough().map(m -> m.plusMonths(1)).orElseGet(() -> {
            YearMonth created = BillingMonth.of(org.get().createdAt());
            return usage.firstUsageMonth(ofOrg).filter(m -> m.isBefore(created)).orElse(created);
        });
        if (from.isAfter(current)) {
            return Optional.empty();
        }
        List<String> billed = open.compute(ofOrg, List.of(org.get()), false, from, current, now, false).stream()
                .filter(Statement::billsAnything).map(Statement::month).sorted().toList();
        if (billed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DeletionCheck.Obstacle("billing", billed.size(), "This organization is billed in "
                + String.join(", ", billed) + ", not closed yet: delete it once "
                + (billed.size() == 1 ? "that month is" : "those months are") + " closed (a month closes a few "
                + "days after it ends), and its statements are kept."));
    }
}
