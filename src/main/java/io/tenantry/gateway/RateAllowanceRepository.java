package io.tenantry.gateway;

import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.tenancy.OrgScope;

/**
 * gateway_rate_allowances: for each subject (an org, or an agent in the org it is in), the
 * moments its requests' and its tokens' allowances are whole again, in nanoseconds since
 * the epoch (see V44). Admission is one conditional statement that spends and answers the
 * new moments, so that N calls at once on any number of nodes spend N and none slips past
 * a spent allowance.
 */
@Repository
class RateAllowanceRepository {

    /** A minute in nanoseconds: the most of a subject's allowance in use at once. */
    static final long MINUTE = 60_000_000_000L;

    /** When a subject's allowances are whole again, in nanoseconds since the epoch; 0 for long ago. */
    record WholeAt(long requests, long tokens) {
    }

    /**
     * Spends the costs where they fit: an allowance fits a cost while its whole-again moment,
     * moved by the cost, stays within a minute of now. PostgreSQL in one upsert; H2, which has
     * no "do update", makes the row first, then spends from it and reads the update's final table.
     */
    private static final String ADMIT_UPSERT = """
            insert into gateway_rate_allowances as a (org_id, subject_id, requests_whole_at, tokens_whole_at)
            values (:org, :subject, :now + :requestCost, :now + :tokenCost)
            on conflict (org_id, subject_id) do update
               set requests_whole_at = greatest(a.requests_whole_at, :now) + :requestCost,
                   tokens_whole_at = greatest(a.tokens_whole_at, :now) + :tokenCost
             where greatest(a.requests_whole_at, :now) + :requestCost <= :now + :period
               and greatest(a.tokens_whole_at, :now) + :tokenCost <= :now + :period
            returning requests_whole_at, tokens_whole_at
            """;

    private static final String ADMIT_UPDATE = """
            select requests_whole_at, tokens_whole_at from final table (
              update gateway_rate_allowances
                 set requests_whole_at = greatest(requests_whole_at, :now) + :requestCost,
                     tokens_whole_at = greatest(tokens_whole_at, :now) + :tokenCost
               where org_id = :org and subject_id = :subject
                 and greatest(requests_whole_at, :now) + :requestCost <= :now + :period
                 and greatest(tokens_whole_at, :now) + :tokenCost <= :now + :period)
            """;

    private final JdbcClient jdbc;
    private final boolean upsert;

    RateAllowanceRepository(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.upsert = vendor == DatabaseVendor.POSTGRESQL;
    }

    /**
     * Spends {@code requestCost} and {@code tokenCost} (nanoseconds of the allowances'
     * refill) if both fit at {@code now}, answering the new whole-again moments; empty when
     * they do not fit, and then nothing is spent. A call's cost never exceeds a minute (a
     * call larger than a limit is refused before), so a subject's first call always fits.
     */
    Optional<WholeAt> admit(OrgScope scope, UUID orgId, UUID subject, long now, long requestCost, long tokenCost) {
        scope.requireWritable(orgId);
        if (!upsert) {
            jdbc.sql("insert into gateway_rate_allowances (org_id, subject_id, requests_whole_at, tokens_whole_at)"
                    + " values (:org, :subject, 0, 0) on conflict do nothing").param("org", orgId)
                    .param("subject", subject).update();
        }
        return jdbc.sql(upsert ? ADMIT_UPSERT : ADMIT_UPDATE).param("org", orgId).param("subject", subject)
                .param("now", now).param("requestCost", requestCost).param("tokenCost", tokenCost)
                .param("period", MINUTE).query((rs, n) -> new WholeAt(rs.getLong(1), rs.getLong(2))).optional();
    }

    WholeAt wholeAt(OrgScope scope, UUID orgId, UUID subject) {
        return jdbc.sql("select requests_whole_at, tokens_whole_at from gateway_rate_allowances where org_id = :org"
                + " and subject_id = :subject and " + scope.sql("org_id")).param("org", orgId)
                .param("subject", subject).params(scope.parameters())
                .query((rs, n) -> new WholeAt(rs.getLong(1), rs.getLong(2))).optional().orElse(new WholeAt(0, 0));
    }

    /** Moves the tokens' whole-again moment by {@code delta} nanoseconds (a call's real tokens less what it spent). */
    void correct(OrgScope scope, UUID orgId, UUID subject, long delta) {
        jdbc.sql("update gateway_rate_allowances set tokens_whole_at = tokens_whole_at + :delta where org_id = :org"
                + " and subject_id = :subject and " + scope.sql("org_id")).param("delta", delta)
                .param("org", orgId).param("subject", subject).params(scope.parameters()).update();
    }
}
