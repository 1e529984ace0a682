package io.tenantry.gateway;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
                        rs.getObject("requests_per_minute", Integer.class),
                        rs.getObject("tokens_per_minute", Long.class),
                        rs.getObject("agent_requests_per_minute", Integer.class),
                        rs.getObject("agent_tokens_per_minute", Long.class), Timestamps.read(rs, "updated_at")))
                .optional();
    }

    /** How many times the org's settings changed; 0 while they are the defaults. */
    long version(OrgScope scope, UUID orgId) {
        return jdbc.sql("select version from gateway_org_settings where org_id = :org and " + scope.sql("org_id"))
                .param("org", orgId).params(scope.parameters()).query(Long.class).optional().orElse(0L);
    }

    void save(OrgScope scope, GatewaySettings settings) {
        int updated = jdbc.sql("""
                update gateway_org_settings set allowed_models = :models, content_logging = :logging,
                       budget_enforcement = :enforcement, requests_per_minute = :rpm, tokens_per_minute = :tpm,
                       agent_requests_per_minute = :agentRpm, agent_tokens_per_minute = :agentTpm, updated_at = :at,
                       version = version + 1
                 where org_id = :org and\s""" + scope.sql("org_id"))
                .params(parameters(settings)).params(scope.parameters()).update();
        if (updated == 0) {
            jdbc.sql("""
                    insert into gateway_org_settings (org_id, allowed_models, content_logging, budget_enforcement,
                                                      requests_per_minute, tokens_per_minute,
                                                      agent_requests_per_minute, agent_tokens_per_minute, updated_at)
                    values (:org, :models, :logging, :enforcement, :rpm, :tpm, :agentRpm, :agentTpm, :at)
                    """).params(parameters(settings)).update();
        }
    }

    private static Map<String, Object> parameters(GatewaySettings settings) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("org", settings.orgId());
        parameters.put("models", json(settings.allowedModels()));
        parameters.put("logging", settings.contentLogging());
        parameters.put("enforcement", settings.budgetEnforcement());
        parameters.put("rpm", settings.requestsPerMinute());
        parameters.put("tpm", settings.tokensPerMinute());
        parameters.put("agentRpm", settings.agentRequestsPerMinute());
        parameters.put("agentTpm", settings.agentTokensPerMinute());
        parameters.put("at", Timestamps.of(settings.updatedAt()));
        return parameters;
    }

    private static String json(List<String> models) {
        return models == null ? null : JSON.writeValueAsString(models);
    }

    private static List<String> models(String stored) {
        return stored == null ? null : JSON.readValue(stored, NAMES);
    }
}
