package io.tenantry.billing.statement;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.tenantry.api.ApiException;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.jobs.ClusterJobs;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Closes last month automatically once {@code tenantry.billing.close-after-days} days of
 * this month have passed, leaving that long for late usage and corrections.
 */
@Component
@ConditionalOnProperty(name = "tenantry.billing.auto-close", havingValue = "true", matchIfMissing = true)
class MonthEndClosing {

    private static final Logger log = LoggerFactory.getLogger(MonthEndClosing.class);

    private final MonthClosing closing;
    private final BillingCalendar calendar;
    private final ScopedTransactions transactions;
    private final Duration grace;
    private final ClusterJobs jobs;
    private final Duration interval;

    MonthEndClosing(MonthClosing closing, BillingCalendar calendar, ScopedTransactions transactions,
            @Value("${tenantry.billing.close-after-days:3}") int closeAfterDays, ClusterJobs jobs,
            @Value("${tenantry.billing.close-check-interval}") Duration interval) {
        this.closing = closing;
        this.calendar = calendar;
        this.transactions = transactions;
        this.grace = Duration.ofDays(closeAfterDays);
        this.jobs = jobs;
        this.interval = interval;
    }

    /** Every node ticks; one checks each period. */
    @Scheduled(initialDelayString = "${tenantry.billing.close-check-interval}",
            fixedDelayString = "${tenantry.billing.close-check-interval}")
    void closeDueMonth() {
        Instant now = Instant.now();
        jobs.runOnce("month-end-closing", interval, now, () -> closeDue(now));
    }

    /**
     * Closes the latest month whose grace period is over, unless it is closed already or
     * comes before anything was billed (a new installation has no last month to close).
     */
    void closeDue(Instant now) {
        YearMonth due = BillingMonth.of(now.minus(grace)).minusMonths(1);
        boolean nothingToDo = transactions.read(OrgScope.allOrgs(),
                () -> calendar.isClosed(due) || due.isBefore(closing.firstBillableMonth()));
        if (nothingToDo) {
            return;
        }
        try {
            MonthClosing.Result result = closing.close(MonthClosing.automatic(now), due.toString());
            log.info("closed billing months {} ({} org statements)", result.closedMonths(), result.statements());
        } catch (ApiException e) {
            // Another node closed it first: that is the outcome wanted.
            log.info("billing month {} not closed here: {}", due, e.getMessage());
        }
    }
}
