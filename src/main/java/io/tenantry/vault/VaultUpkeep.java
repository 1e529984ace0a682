package io.tenantry.vault;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import io.tenantry.jobs.ClusterJobs;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/**
 * Destroys credential values whose grace period after a rotation is over (they are never
 * served past it, whether or not this has run yet), and forgets read history older than
 * TENANTRY_VAULT_READ_HISTORY. Every node ticks; one runs each period (ClusterJobs).
 */
@Configuration
@EnableScheduling
class VaultUpkeep {

    private static final Logger log = LoggerFactory.getLogger(VaultUpkeep.class);

    private final Vault vault;
    private final ClusterJobs jobs;
    private final Duration interval;
    private final Duration readHistory;

    VaultUpkeep(Vault vault, ClusterJobs jobs, @Value("${tenantry.vault.upkeep-interval}") Duration interval,
            @Value("${tenantry.vault.read-history}") Duration readHistory) {
        this.vault = vault;
        this.jobs = jobs;
        this.interval = interval;
        this.readHistory = readHistory;
    }

    @Scheduled(initialDelayString = "${tenantry.vault.upkeep-interval}",
            fixedDelayString = "${tenantry.vault.upkeep-interval}")
    void upkeepNow() {
        Instant now = Instant.now();
        jobs.runOnce("vault-upkeep", interval, now, () -> upkeep(now));
    }

    /** Answers how many earlier values were destroyed. */
    int upkeep(Instant now) {
        OrgCallContext context = OrgCallContext.unattended(Actor.system("vault upkeep"), true, OrgScope.allOrgs(),
                null, now);
        int destroyed = vault.destroyRetired(context);
        int forgotten = vault.forgetReads(now.minus(readHistory));
        if (destroyed > 0 || forgotten > 0) {
            log.info("destroyed {} credential values past their grace period; forgot {} reads", destroyed, forgotten);
        }
        return destroyed;
    }
}
