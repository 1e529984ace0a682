package io.tenantry.gateway;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** gateway_org_settings, read and written in the caller's scope. */
@Repository
class GatewaySettingsRepository {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    GatewaySettingsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<GatewaySettings> find(OrgScope scope, UUID orgId) {
        return jdbc.sql("select * from gateway_org_settings where org_id = :org and " + scope.sql("org_id"))
                .param("org", orgId).params(scope.parameters())
                .query((rs, n) -> new GatewaySettings(orgId, models(rs.getString("allowed_models")),
                        rs.getBoolean("content_logging"), rs.getString("budget_enforcement"),
                        Timestamps.read(rs, "updated_at")))
                .optional();
    }

    void save(OrgScope scope, GatewaySettings settings) {
        int updated = jdbc.sql("""
                update gateway_org_settings set allowed_models = :models, content_logging = :logging,
                       budget_enforcement = :enforcement, updated_at = :at
                 where org_id = :org and\s""" + scope.sql("org_id"))
                .param("org", settings.orgId()).param("models", json(settings.allowedModels()))
                .param("logging", settings.contentLogging()).param("enforcement", settings.budgetEnforcement())
                .param("at", Timestamps.of(settings.updatedAt())).params(scope.parameters()).update();
        if (updated == 0) {
            jdbc.sql("""
                    insert into gateway_org_settings (org_id, allowed_models, content_logging, budget_enforcement,
                                                      updated_at)
                    values (:org, :models, :logging, :enforcement, :at)
                    """).param("org", settings.orgId()).param("models", json(settings.allowedModels()))
                    .param("logging", settings.contentLogging()).param("enforcement", settings.budgetEnforcement())
                    .param("at", Timestamps.of(settings.updatedAt())).update();
        }
    }

    private static String json(List<String> models) {
        return models == null ? null : JSON.writeValueAsString(models);
    }

    private static List<String> models(String stored) {
        return stored == null ? null : JSON.readValue(stored, NAMES);
    }
}
