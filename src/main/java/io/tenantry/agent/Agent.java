package io.tenantry.agent;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;
import io.tenantry.tenancy.Caller;

/**
 * An agent as the API shows it. {@code effectiveStatus} is what the agent may do now:
 * its own status, or {@code org_inactive} while its organization is deactivated.
 */
public record Agent(@Always UUID id, @Always String name, String email, String description, String model,
        @Schema(allowableValues = {"active", "paused"}) @Always String status,
        @Schema(description = "Who paused it, which decides who may resume it: `organization` (its "
                + "organization's users or rules: anyone who may pause it), `operator` or `platform_rule` (a "
                + "baseline rule): owners and admins only. Null while active.") PausedBy pausedBy,
        @Always UUID clientOrgId, @Always String clientOrgName, BigDecimal billingRateOverride,
        @Always @Schema(types = {"number", "null"}, description = "Its rate per month: its own, else its "
                + "organization's. Null, as the other amounts, for a user without the billing page.")
        BigDecimal effectiveBillingRate,
        @Always @Schema(description = "The currency of its organization, which its rates and budget are in.")
        String clientOrgCurrency,
        @Schema(types = {"number", "null"}, description = "The most this agent may spend on models in a month, in "
                + "its organization's currency; the gateway holds it to that when the organization's "
                + "budgetEnforcement is block. Null for none, and for a user without the costs permission.")
        BigDecimal monthlyBudget,
        @Schema(allowableValues = {"active", "paused", "org_inactive"}) @Always String effectiveStatus,
        @Always Instant createdAt, @Always Instant updatedAt) {

    static final String ACTIVE = "active";
    static final String PAUSED = "paused";
    static final String ORG_INACTIVE = "org_inactive";

    /**
     * The agent as {@code caller} may see it: its rates are the Billing page's to show, and its
     * budget (a ceiling on its token cost) the costs permission's, so a user without them gets
     * them as null (a page permission holds wherever its data would show).
     */
    public Agent asSeenBy(Caller caller) {
        if (caller.seesCosts()) {
            return this;
        }
        boolean rates = caller.seesBilling();
        return new Agent(id, name, email, description, model, status, pausedBy, clientOrgId, clientOrgName,
                rates ? billingRateOverride : null, rates ? effectiveBillingRate : null, clientOrgCurrency, null,
                effectiveStatus, createdAt, updatedAt);
    }

    static String effectiveStatus(String status, boolean orgActive) {
        return orgActive ? status : ORG_INACTIVE;
    }

    Object auditState() {
        return new Audited(name, email, description, model, status, clientOrgId, billingRateOverride, monthlyBudget);
    }

    record Audited(String name, String email, String description, String model, String status, UUID clientOrgId,
            BigDecimal billingRateOverride, BigDecimal monthlyBudget) {
    }

    /** As the audit log keeps an agent that joined an org: its state, and what became of its memory. */
    Object auditStateOnArrival(MemoryOnMove memory, int memoryEntries) {
        return new Arrived(name, email, description, model, status, clientOrgId, billingRateOverride, monthlyBudget,
                memory.done(), memoryEntries);
    }

    record Arrived(String name, String email, String description, String model, String status, UUID clientOrgId,
            BigDecimal billingRateOverride, BigDecimal monthlyBudget, String memory, int memoryEntries) {
    }
}
