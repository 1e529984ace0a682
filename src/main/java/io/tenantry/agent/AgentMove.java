package io.tenantry.agent;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import io.tenantry.api.ApiException;
import io.tenantry.api.PatchBody;
import io.tenantry.organization.BillingRate;
import io.tenantry.organization.MonthlyBudget;
import io.tenantry.tenancy.DefaultOrg;

/**
 * A move of an agent as asked for: where to, what becomes of its memory, and the agent's
 * own amounts restated for its new organization, or null to keep them as they are. The
 * amounts are in the organization's currency, so a move to one that bills in another
 * currency must restate them (AgentService refuses it otherwise): 50 EUR must not become
 * 50 NGN unnoticed.
 */
public record AgentMove(UUID orgId, String memory, Amounts restated) {

    /** An agent's billing rate override and monthly budget, each null for none. */
    public record Amounts(BigDecimal billingRateOverride, BigDecimal monthlyBudget) {

        static Amounts of(Agent agent) {
            return new Amounts(agent.billingRateOverride(), agent.monthlyBudget());
        }

        boolean any() {
            return billingRateOverride != null || monthlyBudget != null;
        }

        boolean sameAs(Amounts other) {
            return same(billingRateOverride, other.billingRateOverride) && same(monthlyBudget, other.monthlyBudget);
        }

        private static boolean same(BigDecimal a, BigDecimal b) {
            return Objects.equals(a, b) || a != null && b != null && a.compareTo(b) == 0;
        }
    }

    private static final Map<String, String> ALIASES = Map.of("org_id", "orgId", "clientOrgId", "orgId",
            "billing_rate_override", "billingRateOverride", "monthly_budget", "monthlyBudget");

    /** The body of POST /api/agents/{id}/assign-org. */
    static AgentMove assignment(Map<String, Object> body) {
        PatchBody fields = fields(body, Set.of("orgId", "memory", "billingRateOverride", "monthlyBudget"));
        if (!fields.has("orgId") || fields.fields().get("orgId") == null) {
            throw ApiException.badRequest("orgId", "orgId is required.");
        }
        return new AgentMove(fields.id("orgId", "orgId must be an organization's id."), fields.text("memory"),
                restated(fields));
    }

    /** The body of POST /api/agents/{id}/unassign-org: a move to the default organization. */
    static AgentMove unassignment(Map<String, Object> body) {
        PatchBody fields = fields(body, Set.of("memory", "billingRateOverride", "monthlyBudget"));
        return new AgentMove(DefaultOrg.ID, fields.text("memory"), restated(fields));
    }

    private static PatchBody fields(Map<String, Object> body, Set<String> allowed) {
        PatchBody fields = new PatchBody(body == null ? Map.of() : body).aliased(ALIASES);
        fields.allowOnly(allowed, Map.of());
        return fields;
    }

    /** Both amounts or neither: restating one alone would leave the other in the old currency. */
    private static Amounts restated(PatchBody fields) {
        boolean rate = fields.has("billingRateOverride");
        boolean budget = fields.has("monthlyBudget");
        if (rate != budget) {
            throw ApiException.badRequest(rate ? "monthlyBudget" : "billingRateOverride", "Restate "
                    + "billingRateOverride and monthlyBudget together (null for none), in the new organization's "
                    + "currency.");
        }
        return rate ? new Amounts(BillingRate.parse("billingRateOverride", fields.number("billingRateOverride")),
                MonthlyBudget.parse("monthlyBudget", fields.number("monthlyBudget"))) : null;
    }
}
