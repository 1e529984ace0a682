package io.tenantry.organization;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;
import io.tenantry.tenancy.Caller;

/** An organization as the API shows it. {@code agents} is filled on the detail view only. */
public record Organization(@Always UUID id, @Always String name, @Always String slug, String contactName,
        String contactEmail, String description,
        @Always @Schema(types = {"number", "null"}, description = "The rate per agent and month. Null, as "
                + "monthlyBudget, for a user without the billing page; monthlyBudget also for one without costs.")
        BigDecimal billingRatePerAgent,
        @Always BillingCurrency currency, boolean active, @JsonProperty("isDefault") boolean isDefault,
        @Schema(allowableValues = {"month_end", "daily"}) @Always String proration, BigDecimal monthlyBudget,
        @Always @Schema(description = "The percentages of monthlyBudget at which an alert is raised; none for a "
                + "user without the costs permission.") List<Integer> budgetAlertThresholds,
        @Schema(description = "The organization's IANA time zone, for off_hours guardrail rules.",
                example = "Europe/Paris") @Always String timeZone,
        long agentCount, @Always Instant createdAt,
        @Always Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<OrgMembers.AssignedAgent> agents) {

    /** Billed for the month to whoever holds the agent at its end (the guide's agent_count x rate). */
    public static final String MONTH_END = "month_end";
    /** Billed for the days held: rate x days held / days in the month. */
    public static final String DAILY = "daily";

    /**
     * The organization as {@code caller} may see it: its rate and its agents' rates are the
     * Billing page's to show, and its budget (a ceiling on its token cost) and the thresholds
     * alerted on it the costs permission's, so a user without them gets them as null (the
     * thresholds as none).
     */
    Organization asSeenBy(Caller caller) {
        if (caller.seesCosts()) {
            return this;
        }
        boolean rates = caller.seesBilling();
        return new Organization(id, name, slug, contactName, contactEmail, description,
                rates ? billingRatePerAgent : null, currency, active, isDefault, proration, null, List.of(), timeZone,
                agentCount, createdAt, updatedAt, agents == null || rates ? agents
                        : agents.stream().map(OrgMembers.AssignedAgent::withoutRate).toList());
    }

    Organization withAgents(List<OrgMembers.AssignedAgent> members) {
        return new Organization(id, name, slug, contactName, contactEmail, description, billingRatePerAgent,
                currency, active, isDefault, proration, monthlyBudget, budgetAlertThresholds, timeZone, agentCount,
                createdAt, updatedAt, members);
    }

    /** What the audit log keeps of an organization: its own fields, not derived counts. */
    Object auditState() {
        return new Audited(name, slug, contactName, contactEmail, description, billingRatePerAgent, currency, active,
                proration, monthlyBudget, budgetAlertThresholds, timeZone);
    }

    record Audited(String name, String slug, String contactName, String contactEmail, String description,
            BigDecimal billingRatePerAgent, BillingCurrency currency, boolean active, String proration,
            BigDecimal monthlyBudget, List<Integer> budgetAlertThresholds, String timeZone) {
    }
}
