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
        @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000", description = "The most calls "
                + "the organization's agents may make together per minute; null for no limit.")
        Integer requestsPerMinute,
        @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000000", description = "The most "
                + "tokens the organization's agents may use together per minute; null for no limit.")
        Long tokensPerMinute,
        @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000", description = "The most calls "
                + "each of the organization's agents may make per minute; null for no limit.")
        Integer agentRequestsPerMinute,
        @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000000", description = "The most "
                + "tokens each of the organization's agents may use per minute; null for no limit.")
        Long agentTokensPerMinute,
        @Schema(description = "When an operator last changed them; null while they are the defaults.")
        Instant updatedAt) {

    static GatewaySettings defaults(UUID orgId) {
        return new GatewaySettings(orgId, null, false, ALERT, null, null, null, null, null);
    }

    /** Whether any rate limit applies to this org's calls. */
    boolean limitsRates() {
        return requestsPerMinute != null || tokensPerMinute != null || agentRequestsPerMinute != null
                || agentTokensPerMinute != null;
    }

    /** Whether calls count their output limit before they run: against a budget that blocks, or tokens per minute. */
    boolean countsOutputLimit() {
        return blocksOverBudget() || tokensPerMinute != null || agentTokensPerMinute != null;
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
