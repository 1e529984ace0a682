package io.tenantry.memory;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import io.tenantry.jobs.ClusterJobs;

/**
 * Expired memory entries are never read, and are deleted by this purge, hourly
 * (TENANTRY_MEMORY_PURGE_INTERVAL). Every node ticks; one runs each period (ClusterJobs).
 */
@Configuration
@EnableScheduling
class MemoryExpiry {

    private static final Logger log = LoggerFactory.getLogger(MemoryExpiry.class);

    private final AgentMemory memory;
    private final ClusterJobs jobs;
    private final Duration interval;

    MemoryExpiry(AgentMemory memory, ClusterJobs jobs, @Value("${tenantry.memory.purge-interval}") Duration interval) {
        this.memory = memory;
        this.jobs = jobs;
        this.interval = interval;
    }

    @Scheduled(initialDelayString = "${tenantry.memory.purge-interval}",
            fixedDelayString = "${tenantry.memory.purge-interval}")
    void purgeNow() {
        Instant now = Instant.now();
        jobs.runOnce("memory-expiry-purge", interval, now, () -> purge(now));
    }

    int purge(Instant now) {
        int purged = memory.purgeExpired(now);
        if (purged > 0) {
            log.info("purged {} expired memory entries", purged);
        }
        return purged;
    }
}
