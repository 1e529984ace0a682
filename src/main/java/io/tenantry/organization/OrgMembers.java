package io.tenantry.organization;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;
import io.tenantry.tenancy.OrgScope;

/**
 * The agents of organizations, as this feature needs to show them. The agent feature
 * implements it, so organizations never reach into agent tables or code.
 */
public interface OrgMembers {

    record AssignedAgent(@Always UUID id, @Always String name, String email, @Always String status,
            @Always String effectiveStatus,
            @Always @Schema(types = {"number", "null"}, description = "Null for a user without the billing page.")
            BigDecimal effectiveBillingRate) {

        AssignedAgent withoutRate() {
            return new AssignedAgent(id, name, email, status, effectiveStatus, null);
        }
    }

    /** The agents of one org, by name, at most {@code limit} of them. */
    List<AssignedAgent> agentsOf(OrgScope scope, UUID orgId, int limit);

    /**
     * The names of the org's agents that have amounts of their own (a billing rate override,
     * a monthly budget), which are in the org's currency; at most {@code limit} of them.
     */
    List<String> withOwnAmounts(OrgScope scope, UUID orgId, int limit);
}
