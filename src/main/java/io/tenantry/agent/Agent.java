package io.tenantry.agent;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * An agent as the API shows it. {@code effectiveStatus} is what the agent may do now:
 * its own status, or {@code org_inactive} while its organization is deactivated.
 */
public record Agent(UUID id, String name, String email, String description, String model, String status,
        UUID clientOrgId, String clientOrgName, BigDecimal billingRateOverride, BigDecimal effectiveBillingRate,
        String effectiveStatus, Instant createdAt, Instant updatedAt) {

    static final String ACTIVE = "active";
    static final String PAUSED = "paused";
    static final String ORG_INACTIVE = "org_inactive";

    static String effectiveStatus(String status, boolean orgActive) {
        return orgActive ? status : ORG_INACTIVE;
    }

    Object auditState() {
        return new Audited(name, email, description, model, status, clientOrgId, billingRateOverride);
    }

    record Audited(String name, String email, String description, String model, String status, UUID clientOrgId,
            BigDecimal billingRateOverride) {
    }
}
