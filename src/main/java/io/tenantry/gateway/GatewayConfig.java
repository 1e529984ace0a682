package io.tenantry.gateway;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
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
        return transactions.readOne(scope, versionsSql(scope), params(scope, orgId), GatewayConfig::versionsRow)
                .get(0);
    }

    /** The same statement, sent with {@code statements} (which run in {@code scope}, a scope that includes the org). */
    Pipeline.Result<Versions> versions(Pipeline statements, OrgScope scope, UUID orgId) {
        return statements.query(versionsSql(scope), params(scope, orgId),
                new RowMapperResultSetExtractor<>(GatewayConfig::versionsRow)).map(rows -> rows.get(0));
    }

    private static String versionsSql(OrgScope scope) {
        return "select (" + VERSION + ") as config, coalesce((select version from gateway_org_settings where"
                + " org_id = :org and " + scope.sql("org_id") + "), 0) as settings";
    }

    private static Map<String, Object> params(OrgScope scope, UUID orgId) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        return params;
    }

    private static Versions versionsRow(ResultSet rs, int n) throws SQLException {
        return new Versions(rs.getLong("config"), rs.getLong("settings"));
    }
}
