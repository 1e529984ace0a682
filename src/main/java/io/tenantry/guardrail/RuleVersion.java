package io.tenantry.guardrail;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/** A rule as it was from {@code createdAt} until its next version. */
@Schema(name = "GuardrailRuleVersion")
public record RuleVersion(@Always int version, @Always GuardrailRule.Audited rule, @Always Instant createdAt,
        @Always String createdBy) {
}
