package io.tenantry.gateway;

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
 * Forgets request log lines older than TENANTRY_GATEWAY_REQUEST_LOG_RETENTION; the usage
 * they billed stays in the usage events. Every node ticks hourly; one runs each hour.
 */
@Configuration
@EnableScheduling
class RequestLogRetention {

    private static final Logger log = LoggerFactory.getLogger(RequestLogRetention.class);
    private static final Duration PERIOD = Duration.ofHours(1);

    private final GatewayRequests requests;
    private final ClusterJobs jobs;
    private final Duration retention;

    RequestLogRetention(GatewayRequests requests, ClusterJobs jobs,
            @Value("${tenantry.gateway.request-log-retention}") Duration retention) {
        this.requests = requests;
        this.jobs = jobs;
        this.retention = retention;
    }

    @Scheduled(initialDelay = 600_000, fixedDelay = 3_600_000)
    void forgetNow() {
        Instant now = Instant.now();
        jobs.runOnce("gateway-request-log-retention", PERIOD, now, () -> forget(now));
    }

    int forget(Instant now) {
        int forgotten = requests.forget(now.minus(retention));
        if (forgotten > 0) {
            log.info("forgot {} gateway request log lines older than {}", forgotten, retention);
        }
        return forgotten;
    }
}
