package io.tenantry.guardrail;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;
import io.tenantry.api.MayBeNull;

/**
 * A rule of the platform baseline as every organization sees it: what it checks and does,
 * read-only. It applies to all agents of every organization while it is enabled; which org
 * holds it and who wrote it stay with the operator.
 */
@Schema(name = "BaselineRule", description = "A rule the platform applies to every organization's agents; it can "
        + "only be changed by the platform's owners.")
public record BaselineRule(@Always UUID id, @Always String name, @Always String type, @Always String direction,
        @Always String action, @Always String severity, @Always String mode, @MayBeNull List<String> keywords,
        String pattern, @MayBeNull List<String> detectors, Long maxTokens, Long limit, String window,
        String allowedHours, @MayBeNull List<String> allowedDays, @Always int version, @Always Instant updatedAt) {

    static BaselineRule of(GuardrailRule rule) {
        return new BaselineRule(rule.id(), rule.name(), rule.type(), rule.direction(), rule.action(), rule.severity(),
                rule.mode(), rule.keywords(), rule.pattern(), rule.detectors(), rule.maxTokens(), rule.limit(),
                rule.window(), rule.allowedHours(), rule.allowedDays(), rule.version(), rule.updatedAt());
    }
}
