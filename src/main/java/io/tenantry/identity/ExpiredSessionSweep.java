package io.tenantry.identity;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import io.tenantry.jobs.ClusterJobs;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Expired sessions are refused at once but stay in the table until this sweep removes
 * them, hourly (TENANTRY_SESSION_SWEEP_INTERVAL), together with sign-in throttles that have
 * drained and old job claims. Every node ticks; one runs each period (ClusterJobs).
 */
@Configuration
@EnableScheduling
class ExpiredSessionSweep {

    private static final Logger log = LoggerFactory.getLogger(ExpiredSessionSweep.class);

    private final Sessions sessions;
    private final SignInThrottle throttle;
    private final ClusterJobs jobs;
    private final Duration interval;
    private final ScopedTransactions transactions;

    ExpiredSessionSweep(Sessions sessions, SignInThrottle throttle, ClusterJobs jobs,
            @Value("${tenantry.sessions.sweep-interval}") Duration interval, ScopedTransactions transactions) {
        this.sessions = sessions;
        this.transactions = transactions;
        this.throttle = throttle;
        this.jobs = jobs;
        this.interval = interval;
    }

    @Scheduled(initialDelayString = "${tenantry.sessions.sweep-interval}",
            fixedDelayString = "${tenantry.sessions.sweep-interval}")
    void sweepNow() {
        Instant now = Instant.now();
        jobs.runOnce("session-sweep", interval, now, () -> sweep(now));
    }

    void sweep(Instant now) {
        int removed = transactions.write(OrgScope.none(), () -> sessions.deleteExpired(now));
        int drained = throttle.sweep(now);
        int forgotten = jobs.forgetOldRuns(now);
        if (removed > 0 || drained > 0 || forgotten > 0) {
            log.info("removed {} expired sessions, {} drained sign-in throttles and {} old job claims", removed,
                    drained, forgotten);
        }
    }
}
