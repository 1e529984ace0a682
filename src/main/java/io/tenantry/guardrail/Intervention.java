package io.tenantry.guardrail;

import java.time.Instant;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/** One decision of a rule about an agent's text, or a person's pause, resume or stop, on the org's record. */
@Schema(name = "Intervention")
public record Intervention(@Always UUID id, @Always UUID orgId, @Always UUID agentId, UUID ruleId, Integer ruleVersion,
        String ruleName, String ruleType,
        @Schema(allowableValues = {"block", "redact", "flag", "pause_agent", "pause", "resume", "stop"},
                description = "A rule's action, or a person's (pause, resume, stop).") @Always String action,
        @Schema(allowableValues = {"enforce", "shadow", "manual"}) @Always String mode, String severity,
        @Schema(allowableValues = {"input", "output"}) String direction,
        @Schema(allowableValues = {"allow", "block", "redact", "pause", "resume", "stop"}, description = "What the "
                + "check as a whole decided; for a person's action, the action.") @Always String decision,
        @Schema(description = "What a rule found, redacted; a person's reason.") @Always String evidence,
        @Schema(description = "Who acted, for a person's action.") String actor, @Always Instant createdAt) {
}
