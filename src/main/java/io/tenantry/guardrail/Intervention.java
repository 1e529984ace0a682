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
        @Schema(description = "How many times the rule matched in the text (the evidence is the first); absent for a "
                + "person's action.") Integer occurrences,
        @Schema(description = "Who acted, for a person's action.") String actor, @Always Instant createdAt,
        @Schema(description = "The agent's name while it is still an agent of this organization; absent once it has "
                + "moved or been deleted.") String agentName,
        @Schema(allowableValues = {"active", "paused"}, description = "The agent's status now, while it is still an "
                + "agent of this organization.") String agentStatus,
        @Schema(allowableValues = {"organization", "operator", "platform_rule"}, description = "Who paused the agent, "
                + "while it is paused and still of this organization: only owners and admins resume an agent the "
                + "operator or a platform rule paused.") String agentPausedBy) {

    /** A new entry: what the agent is called and how it is now are read with the log, not stored in it. */
    static Intervention of(UUID id, UUID orgId, UUID agentId, UUID ruleId, Integer ruleVersion, String ruleName,
            String ruleType, String action, String mode, String severity, String direction, String decision,
            String evidence, Integer occurrences, String actor, Instant createdAt) {
        return new Intervention(id, orgId, agentId, ruleId, ruleVersion, ruleName, ruleType, action, mode, severity,
                direction, decision, evidence, occurrences, actor, createdAt, null, null, null);
    }
}
