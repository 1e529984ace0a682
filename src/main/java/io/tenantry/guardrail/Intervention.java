package io.tenantry.guardrail;

import java.time.Instant;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/** One decision of a rule about an agent's text, on the org's record. */
@Schema(name = "Intervention")
public record Intervention(@Always UUID id, @Always UUID orgId, @Always UUID agentId, UUID ruleId, Integer ruleVersion,
        String ruleName, String ruleType,
        @Schema(allowableValues = {"block", "redact", "flag", "pause_agent"}) @Always String action,
        @Schema(allowableValues = {"enforce", "shadow"}) @Always String mode, String severity,
        @Schema(allowableValues = {"input", "output"}) String direction,
        @Schema(allowableValues = {"allow", "block", "redact", "pause"}, description = "What the check as a whole "
                + "decided.") @Always String decision,
        @Schema(description = "What was found, redacted.") @Always String evidence, @Always Instant createdAt) {
}
