package io.tenantry.guardrail;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.agent.AppliesTo;
import io.tenantry.api.Always;
import io.tenantry.api.MayBeNull;

/**
 * A guardrail rule of one org at its current version. Only the settings of its type are
 * present: keywords (keyword), pattern (regex), detectors (pii; absent means all),
 * maxTokens (max_tokens), limit and window (rate), allowedHours and allowedDays (off_hours).
 */
@Schema(name = "GuardrailRule")
public record GuardrailRule(@Always UUID id, @Always UUID orgId, @Always String name,
        @Schema(allowableValues = {"keyword", "regex", "pii", "prompt_injection", "max_tokens", "rate", "off_hours"})
        @Always String type,
        @Schema(allowableValues = {"input", "output", "both"}) @Always String direction,
        @Schema(allowableValues = {"block", "redact", "flag", "pause_agent"}) @Always String action,
        @Schema(allowableValues = {"low", "medium", "high", "critical"}) @Always String severity,
        @Schema(allowableValues = {"enforce", "shadow"}, description = "A shadow rule is evaluated and recorded but "
                + "never changes a decision.") @Always String mode,
        @Always boolean enabled,
        @Schema(types = {"string", "array"}, description = "\"all\" or the ids of the organization's agents it "
                + "applies to.", example = "all") @Always AppliesTo appliesTo,
        @Schema(description = "A rule of the default organization that applies to every organization's agents "
                + "(the platform baseline); only owners mark, change or delete one.") @Always boolean baseline,
        @MayBeNull List<String> keywords, String pattern,
        @Schema(description = "email, phone, card, iban, us_ssn, ipv4, ipv6, secret; null means all.")
        @MayBeNull List<String> detectors, Long maxTokens,
        @Schema(description = "rate: how many checks one agent may make in a window.") Long limit,
        @Schema(description = "rate: the window, an ISO-8601 duration such as PT1M.", example = "PT1M") String window,
        @Schema(description = "off_hours: when agents may work, HH:MM-HH:MM in the organization's time zone.",
                example = "08:00-18:00") String allowedHours,
        @Schema(description = "off_hours: the days agents may work (mon ... sun); null means every day.")
        @MayBeNull List<String> allowedDays,
        @Schema(description = "Goes up by one with every change.") @Always int version,
        @Always Instant createdAt, @Always Instant updatedAt) {

    static GuardrailRule of(UUID id, UUID orgId, String name, RuleDefinition d, boolean enabled, AppliesTo appliesTo,
            int version, Instant createdAt, Instant updatedAt) {
        return of(id, orgId, name, d, enabled, appliesTo, false, version, createdAt, updatedAt);
    }

    static GuardrailRule of(UUID id, UUID orgId, String name, RuleDefinition d, boolean enabled, AppliesTo appliesTo,
            boolean baseline, int version, Instant createdAt, Instant updatedAt) {
        return new GuardrailRule(id, orgId, name, d.type(), d.direction(), d.action(), d.severity(), d.mode(), enabled,
                appliesTo, baseline, d.keywords(), d.pattern(), d.detectors(), d.maxTokens(), d.limit(), d.window(),
                d.allowedHours(), d.allowedDays(), version, createdAt, updatedAt);
    }

    @JsonIgnore
    RuleDefinition definition() {
        return new RuleDefinition(type, direction, action, severity, mode, keywords, pattern, detectors, maxTokens,
                limit, window, allowedHours, allowedDays);
    }

    /** What the audit log and the version history keep of a rule. */
    Audited auditState() {
        return new Audited(name, definition(), enabled, appliesTo, baseline, version);
    }

    record Audited(String name, RuleDefinition definition, boolean enabled, AppliesTo appliesTo, boolean baseline,
            int version) {
    }
}
