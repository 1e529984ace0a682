package io.tenantry.jobs;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Runs a periodic job once per period across every node that shares the database. Each
 * node's scheduler still ticks; a tick first claims the period it falls in (time divided
 * into slots of the job's interval), and only the node whose claim is stored runs the job.
 * The claim lives in the database (job_runs), never in a node's memory, so a node that
 * joins or dies changes nothing. A job that fails after its claim is tried again in the
 * next period. Counted in the metric tenantry.jobs (job, outcome ran or skipped).
 */
@Component
public class ClusterJobs {

    /** Claims are kept this long, for whoever wants to see which node ran what. */
    static final Duration KEPT = Duration.ofDays(7);

    private final JobRuns runs;
    private final ScopedTransactions transactions;
    private final MeterRegistry meters;
    private final String node = ManagementFactory.getRuntimeMXBean().getName() + "/"
            + UUID.randomUUID().toString().substring(0, 8);

    ClusterJobs(JobRuns runs, ScopedTransactions transactions, MeterRegistry meters) {
        this.runs = runs;
        this.transactions = transactions;
        this.meters = meters;
    }

    /** Runs {@code job} unless another node has run it in this period already; answers whether it ran here. */
    public boolean runOnce(String name, Duration period, Instant now, Runnable job) {
        long slot = now.toEpochMilli() / Math.max(1, period.toMillis());
        boolean claimed = transactions.write(OrgScope.none(), () -> runs.claim(name, slot, node, now));
        meters.counter("tenantry.jobs", "job", name, "outcome", claimed ? "ran" : "skipped").increment();
        if (claimed) {
            job.run();
        }
        return claimed;
    }

    /** Forgets claims older than {@link #KEPT}; answers how many. */
    public int forgetOldRuns(Instant now) {
        return transactions.write(OrgScope.none(), () -> runs.deleteClaimedBefore(now.minus(KEPT)));
    }
}
