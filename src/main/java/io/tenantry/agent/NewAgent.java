package io.tenantry.agent;

import java.math.BigDecimal;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of POST /api/agents. Without clientOrgId the agent lands in the request's org context. */
@Schema(description = "A new agent. billing_rate_override, monthly_budget and client_org_id are accepted "
        + "too.",
        example = "{\"name\": \"Support bot\", \"model\": \"gpt-4o\", "
                + "\"clientOrgId\": \"3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f\"}")
public record NewAgent(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 200) String name,
        @Schema(format = "email", maxLength = 320, description = "Unique among agents.") String email,
        @Schema(maxLength = 2000) String description,
        @Schema(maxLength = 100, description = "The model the agent uses, as its usage names it.") String model,
        @Schema(allowableValues = {"active", "paused"}, defaultValue = "active") String status,
        @Schema(types = {"number", "string"}, minimum = "0", maximum = "999999999999.99",
                description = "Replaces the org's rate per agent for this agent; null for the org's rate.")
        @JsonAlias("billing_rate_override") BigDecimal billingRateOverride,
        @Schema(types = {"number", "string", "null"}, minimum = "0.01", maximum = "999999999999.99",
                description = "The most the agent may spend on models in a month, in its organization's currency; "
                        + "null for none.")
        @JsonAlias("monthly_budget") BigDecimal monthlyBudget,
        @Schema(format = "uuid", description = "The organization to add it to; by default the org context's, "
                + "or the default organization.")
        @JsonAlias("client_org_id") UUID clientOrgId) {
}
