package io.tenantry.gateway;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/**
 * gateway_rate_windows: what an org or an agent used in one minute. Admission is one
 * conditional update that counts and answers the new counts, so that N calls at once on
 * any number of nodes count N and none slips past a full minute.
 */
@Repository
class RateWindowRepository {

    /** A minute's counts. */
    record Used(long requests, long tokens) {
    }

    private static final String ADMIT = """
            update gateway_rate_windows set requests = requests + 1, tokens = tokens + :tokens
             where subject_id = :subject and window_start = :start and org_id = :org
               and requests < :maxRequests and tokens + :tokens <= :maxTokens
            """;

    private final JdbcClient jdbc;
    private final String admitReturning;

    RateWindowRepository(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        // PostgreSQL answers the updated row with RETURNING, H2 by reading the final table of the update.
        this.admitReturning = vendor == DatabaseVendor.POSTGRESQL ? ADMIT + " returning requests, tokens"
                : "select requests, tokens from final table (" + ADMIT + ")";
    }

    /**
     * Counts one call and its {@code tokens} in the subject's minute if both still fit
     * (unlimited is Long.MAX_VALUE), answering the minute's counts with it; empty when it
     * does not fit, and then nothing is counted. A new minute removes the subject's earlier ones.
     */
    Optional<Used> admit(OrgScope scope, UUID orgId, UUID subject, Instant start, long tokens, long maxRequests,
            long maxTokens) {
        scope.requireWritable(orgId);
        int opened = jdbc.sql("insert into gateway_rate_windows (org_id, subject_id, window_start, requests, tokens)"
                + " values (:org, :subject, :start, 0, 0) on conflict do nothing").param("org", orgId)
                .param("subject", subject).param("start", Timestamps.of(start)).update();
        if (opened == 1) {
            jdbc.sql("delete from gateway_rate_windows where subject_id = :subject and window_start < :start and "
                    + scope.sql("org_id")).param("subject", subject).param("start", Timestamps.of(start))
                    .params(scope.parameters()).update();
        }
        return jdbc.sql(admitReturning).param("org", orgId).param("subject", subject)
                .param("start", Timestamps.of(start)).param("tokens", tokens).param("maxRequests", maxRequests)
                .param("maxTokens", maxTokens)
                .query((rs, n) -> new Used(rs.getLong("requests"), rs.getLong("tokens"))).optional();
    }

    Used used(OrgScope scope, UUID subject, Instant start) {
        return jdbc.sql("select requests, tokens from gateway_rate_windows where subject_id = :subject"
                + " and window_start = :start and " + scope.sql("org_id")).param("subject", subject)
                .param("start", Timestamps.of(start)).params(scope.parameters())
                .query((rs, n) -> new Used(rs.getLong("requests"), rs.getLong("tokens"))).optional()
                .orElse(new Used(0, 0));
    }

    /** Corrects a minute's tokens by {@code delta} (a call's real tokens less what it counted on admission). */
    void correct(OrgScope scope, UUID subject, Instant start, long delta) {
        jdbc.sql("update gateway_rate_windows set tokens = tokens + :delta where subject_id = :subject"
                + " and window_start = :start and " + scope.sql("org_id")).param("delta", delta)
                .param("subject", subject).param("start", Timestamps.of(start)).params(scope.parameters()).update();
    }
}
