package io.tenantry.gateway;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * The counts of changes of what calls keep between them ({@link CallPlans}): of the
 * providers and routes (table gateway_config; each write of either counts one, in its own
 * transaction) and of one org's settings (gateway_org_settings.version).
 */
@Repository
class GatewayConfig {

    /** The two counts as one call reads them. */
    record Versions(long config, long settings) {
    }

    private static final String VERSION = "select version from gateway_config";

    private final JdbcClient jdbc;
    private final ScopedTransactions transactions;

    GatewayConfig(JdbcClient jdbc, ScopedTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    void changed() {
        jdbc.sql("update gateway_config set version = version + 1").update();
    }

    long version() {
        return jdbc.sql(VERSION).query(Long.class).single();
    }

    /** Both counts in one statement, one round trip, outside any transaction; the org's is 0 while it has no row. */
    Versions versions(OrgScope scope, UUID orgId) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        return transactions.readOne(scope, "select (" + VERSION + ") as config, coalesce((select version from"
                + " gateway_org_settings where org_id = :org and " + scope.sql("org_id") + "), 0) as settings",
                params, (rs, n) -> new Versions(rs.getLong("config"), rs.getLong("settings"))).get(0);
    }
}
