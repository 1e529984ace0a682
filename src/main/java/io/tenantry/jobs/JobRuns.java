package io.tenantry.jobs;

import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;

/** Which node ran which job in which period. Platform data: no org scope applies. */
@Repository
class JobRuns {

    private final JdbcClient jdbc;

    JobRuns(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims the period for {@code node}; answers whether this call claimed it. The primary
     * key decides between nodes: a second insert of the same period waits for the first to
     * commit, then inserts nothing.
     */
    boolean claim(String job, long slot, String node, Instant at) {
        return jdbc.sql("""
                insert into job_runs (job, slot, node, claimed_at) values (:job, :slot, :node, :at)
                on conflict do nothing
                """).param("job", job).param("slot", slot).param("node", node).param("at", Timestamps.of(at))
                .update() == 1;
    }

    int deleteClaimedBefore(Instant before) {
        return jdbc.sql("delete from job_runs where claimed_at < :before").param("before", Timestamps.of(before))
                .update();
    }
}
