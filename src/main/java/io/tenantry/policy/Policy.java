package io.tenantry.policy;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.agent.AppliesTo;
import io.tenantry.api.Always;
import io.tenantry.crypto.Sha256;

/** One of an org's written rules for its agents, at its current version. */
public record Policy(@Always UUID id, @Always UUID orgId, @Always String name,
        @Schema(allowableValues = {"code_of_conduct", "communication", "data_handling", "brand_voice", "security",
                "escalation", "custom"}) @Always String category,
        @Schema(allowableValues = {"mandatory", "recommended", "informational"}) @Always String enforcement,
        @Schema(description = "Markdown.") @Always String content,
        @Schema(types = {"string", "array"}, description = "\"all\": every agent the organization holds, now and "
                + "later; or the ids of the agents it applies to.", example = "all") @Always AppliesTo appliesTo,
        @Always boolean enabled,
        @Schema(description = "Goes up by one each time the content changes.") @Always int version,
        @Always Instant createdAt, @Always Instant updatedAt) {

    static final Set<String> CATEGORIES = Set.of("code_of_conduct", "communication", "data_handling", "brand_voice",
            "security", "escalation", "custom");
    static final Set<String> ENFORCEMENTS = Set.of("mandatory", "recommended", "informational");

    Policy changedAt(Instant at) {
        return new Policy(id, orgId, name, category, enforcement, content, appliesTo, enabled, version, createdAt, at);
    }

    /** What the audit log keeps of a policy: everything but the content, which it names by hash. */
    Object auditState() {
        return new Audited(name, category, enforcement, appliesTo, enabled, version, Sha256.hex(content));
    }

    record Audited(String name, String category, String enforcement, AppliesTo appliesTo, boolean enabled,
            int version, String contentSha256) {
    }
}
