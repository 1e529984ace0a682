package io.tenantry.agent;

import java.math.BigDecimal;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonAlias;

/** The body of POST /api/agents. Without clientOrgId the agent lands in the request's org context. */
public record NewAgent(String name, String email, String description, String model, String status,
        @JsonAlias("billing_rate_override") BigDecimal billingRateOverride,
        @JsonAlias("client_org_id") UUID clientOrgId) {
}
