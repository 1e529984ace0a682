package io.tenantry.organization;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/**
 * Every rate and currency an org has billed with, and since when. Rows are only added, so
 * a past month is always billed with the rate in force then.
 */
@Repository
class OrgRateHistory {

    private final JdbcClient jdbc;

    OrgRateHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Adds the org's rate and currency from {@code at}, or from just after its latest row
     * ({@link Timestamps#after}): the caller holds the org's row, so the rows' order is the
     * order its changes committed in, and the last row is the rate the org shows.
     */
    void record(OrgScope scope, UUID orgId, java.math.BigDecimal rate, BillingCurrency currency, Instant at) {
        scope.requireWritable(orgId);
        Instant latest = jdbc.sql("select max(effective_at) as latest from org_rate_history where org_id = :orgId")
                .param("orgId", orgId).query((rs, row) -> Timestamps.read(rs, "latest")).optional().orElse(null);
        jdbc.sql("""
                insert into org_rate_history (id, org_id, rate, currency, effective_at)
                values (:id, :orgId, :rate, :currency, :at)
                """)
                .param("id", UUID.randomUUID()).param("orgId", orgId).param("rate", rate)
                .param("currency", currency.name()).param("at", Timestamps.of(Timestamps.after(latest, at))).update();
    }

    /** The rates of the orgs of {@code scope} that took effect before {@code before}, oldest first. */
    List<OrgRate> of(OrgScope scope, Instant before) {
        return jdbc.sql("select org_id, rate, currency, effective_at from org_rate_history where effective_at < :before"
                + " and " + scope.sql("org_id") + " order by org_id, effective_at, id")
                .param("before", Timestamps.of(before)).params(scope.parameters())
                .query((rs, row) -> new OrgRate(rs.getObject("org_id", UUID.class), rs.getBigDecimal("rate"),
                        BillingCurrency.valueOf(rs.getString("currency").trim()), Timestamps.read(rs, "effective_at")))
                .list();
    }
}
