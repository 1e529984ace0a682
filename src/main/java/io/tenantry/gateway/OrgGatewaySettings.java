package io.tenantry.gateway;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.api.Numbers;
import io.tenantry.api.PatchBody;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * The gateway settings of the organization in the org context: read by anyone who sees the
 * organization, changed by owners and admins.
 */
@Service
class OrgGatewaySettings {

    static final int MAX_MODELS = 200;
    private static final Set<String> PATCHABLE = Set.of("allowedModels", "contentLogging",
            "budgetEnforcement", "requestsPerMinute", "tokensPerMinute", "agentRequestsPerMinute",
            "agentTokensPerMinute");
    static final long MAX_REQUESTS_PER_MINUTE = 1_000_000_000L;
    static final long MAX_TOKENS_PER_MINUTE = 1_000_000_000_000L;
    private static final Map<String, String> READ_ONLY = PatchBody.readOnly("orgId", "updatedAt");
    private static final Map<String, String> ALIASES = Map.of("allowed_models", "allowedModels", "content_logging",
            "contentLogging", "budget_enforcement", "budgetEnforcement", "requests_per_minute", "requestsPerMinute",
            "tokens_per_minute", "tokensPerMinute", "agent_requests_per_minute", "agentRequestsPerMinute",
            "agent_tokens_per_minute", "agentTokensPerMinute");

    private final GatewaySettingsRepository settings;
    private final OrganizationService organizations;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    OrgGatewaySettings(GatewaySettingsRepository settings, OrganizationService organizations,
            ScopedTransactions transactions, AuditLog audit) {
        this.settings = settings;
        this.organizations = organizations;
        this.transactions = transactions;
        this.audit = audit;
    }

    GatewaySettings get(OrgCallContext context) {
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            organizations.find(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            return settings.find(scope, orgId).orElse(GatewaySettings.defaults(orgId));
        });
    }

    GatewaySettings update(OrgCallContext context, PatchBody body) {
        context.requireOperator("change an organization's gateway settings");
        PatchBody patch = body.aliased(ALIASES);
        patch.allowOnly(PATCHABLE, READ_ONLY);
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        List<String> models = patch.has("allowedModels") ? models(patch.fields().get("allowedModels")) : null;
        Boolean logging = patch.has("contentLogging") ? Fields.flag("contentLogging",
                patch.fields().get("contentLogging")) : null;
        String enforcement = patch.has("budgetEnforcement") ? enforcement(patch.fields().get("budgetEnforcement"))
                : null;
        Long rpm = limit(patch, "requestsPerMinute", MAX_REQUESTS_PER_MINUTE);
        Long tpm = limit(patch, "tokensPerMinute", MAX_TOKENS_PER_MINUTE);
        Long agentRpm = limit(patch, "agentRequestsPerMinute", MAX_REQUESTS_PER_MINUTE);
        Long agentTpm = limit(patch, "agentTokensPerMinute", MAX_TOKENS_PER_MINUTE);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            // The org's row orders two changes of its settings one after the other.
            organizations.lock(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            GatewaySettings before = settings.find(scope, orgId).orElse(GatewaySettings.defaults(orgId));
            GatewaySettings after = new GatewaySettings(orgId,
                    patch.has("allowedModels") ? models : before.allowedModels(),
                    logging != null ? logging : before.contentLogging(),
                    enforcement != null ? enforcement : before.budgetEnforcement(),
                    patch.has("requestsPerMinute") ? toInt(rpm) : before.requestsPerMinute(),
                    patch.has("tokensPerMinute") ? tpm : before.tokensPerMinute(),
                    patch.has("agentRequestsPerMinute") ? toInt(agentRpm) : before.agentRequestsPerMinute(),
                    patch.has("agentTokensPerMinute") ? agentTpm : before.agentTokensPerMinute(), context.at());
            settings.save(scope, after);
            audit.record(context, orgId, "gateway.settings.changed", "organization", orgId, before, after);
            return after;
        });
    }

    /** A per-minute limit as sent: a whole number from 1 to {@code max}, or null for none. */
    private static Long limit(PatchBody patch, String field, long max) {
        Object value = patch.fields().get(field);
        return value == null ? null : Numbers.wholeNumber(field, value, 1, max);
    }

    private static Integer toInt(Long value) {
        return value == null ? null : Math.toIntExact(value);
    }

    private static String enforcement(Object value) {
        if (GatewaySettings.ALERT.equals(value) || GatewaySettings.BLOCK.equals(value)) {
            return (String) value;
        }
        throw ApiException.badRequest("budgetEnforcement", "budgetEnforcement must be 'alert' (budgets only warn) or "
                + "'block' (calls that would go over budget are refused).");
    }

    private static List<String> models(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || list.size() > MAX_MODELS) {
            throw ApiException.badRequest("allowedModels", "allowedModels is a list of up to " + MAX_MODELS
                    + " model names, or null for every routed model.");
        }
        Set<String> models = new LinkedHashSet<>();
        for (Object item : list) {
            if (!(item instanceof String model) || !Routes.MODEL.matcher(model).matches()) {
                throw ApiException.badRequest("allowedModels", "Each of allowedModels is a model name: up to 100 "
                        + "letters, digits and . _ : @ -, starting with a letter or digit.");
            }
            models.add(model);
        }
        return new ArrayList<>(models);
    }
}
