package io.tenantry.gateway;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/** One organization's own gateway settings. */
@Schema(name = "GatewaySettings")
public record GatewaySettings(@Always UUID orgId,
        @Schema(types = {"array", "null"}, description = "The models this organization's agents may ask for; every "
                + "routed model when null.") List<String> allowedModels,
        @Always @Schema(description = "Whether the request log keeps prompts and answers (off unless turned on).")
        boolean contentLogging,
        @Always @Schema(allowableValues = {"alert", "block"}, description = "alert (the default): the organization's "
                + "and its agents' monthly budgets only warn. block: a call whose worst-case cost does not fit in "
                + "what is left of either budget this month is refused with 402 before it reaches a model.")
        String budgetEnforcement,
        @Schema(description = "When an operator last changed them; null while they are the defaults.")
        Instant updatedAt) {

    static GatewaySettings defaults(UUID orgId) {
        return new GatewaySettings(orgId, null, false, ALERT, null);
    }

    static final String ALERT = "alert";
    static final String BLOCK = "block";

    boolean blocksOverBudget() {
        return BLOCK.equals(budgetEnforcement);
    }

    boolean allows(String model) {
        return allowedModels == null || allowedModels.contains(model);
    }
}
