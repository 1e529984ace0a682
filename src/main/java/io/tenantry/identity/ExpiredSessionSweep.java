package io.tenantry.identity;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Expired sessions are refused at once but stay in the table until this sweep removes
 * them, hourly. Any node may run it; the delete is idempotent.
 */
@Configuration
@EnableScheduling
class ExpiredSessionSweep {

    private static final Logger log = LoggerFactory.getLogger(ExpiredSessionSweep.class);

    private final Sessions sessions;

    ExpiredSessionSweep(Sessions sessions) {
        this.sessions = sessions;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
    void sweep() {
        int removed = sessions.deleteExpired(Instant.now());
        if (removed > 0) {
            log.info("removed {} expired sessions", removed);
        }
    }
}
