package io.tenantry.identity;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Expired sessions are refused at once but stay in the table until this sweep removes
 * them, hourly, together with sign-in throttles that have drained. Any node may run it; the
 * deletes are idempotent.
 */
@Configuration
@EnableScheduling
class ExpiredSessionSweep {

    private static final Logger log = LoggerFactory.getLogger(ExpiredSessionSweep.class);

    private final Sessions sessions;
    private final SignInThrottle throttle;

    ExpiredSessionSweep(Sessions sessions, SignInThrottle throttle) {
        this.sessions = sessions;
        this.throttle = throttle;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
    void sweep() {
        Instant now = Instant.now();
        int removed = sessions.deleteExpired(now);
        int drained = throttle.sweep(now);
        if (removed > 0 || drained > 0) {
            log.info("removed {} expired sessions and {} drained sign-in throttles", removed, drained);
        }
    }
}
