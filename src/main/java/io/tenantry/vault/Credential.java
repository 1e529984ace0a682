package io.tenantry.vault;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * A credential as anyone but the agent that uses it sees it: what it is, never its value.
 * {@code lastFour} shows the value's last four characters only when it has at least
 * {@value Vault#HINT_FROM} (a shorter value would give too much of itself away), and never
 * for a password or an SMTP login (values people choose, and reuse).
 */
@Schema(name = "Credential")
record Credential(@Always UUID id, @Always UUID orgId,
        @Schema(allowableValues = {"org", "agent"}, description = "org: every agent of the organization may read "
                + "it (when agentReadable); agent: only agentId, and it is destroyed when that agent leaves the org.")
        @Always String scope, UUID agentId, @Always String name,
        @Schema(allowableValues = {"api_key", "oauth_token", "password", "smtp", "webhook_secret", "other"}) @Always
        String kind, String description, @Always boolean agentReadable, Instant expiresAt,
        @Schema(allowableValues = {"none", "valid", "expiring", "expired"}, description = "expiring: within 14 days.")
        @Always String expiry, @Always int version,
        @Schema(description = "The value's last four characters; null for values under 16 characters, passwords and "
                + "SMTP logins.") String lastFour, @Always String createdBy, @Always String updatedBy,
        @Always Instant createdAt, @Always Instant updatedAt,
        @Schema(description = "When the value last changed (creation or rotation).") @Always Instant valueChangedAt,
        @Schema(description = "When an agent last read the value; null for never.") Instant lastReadAt) {

    static final Duration EXPIRING = Duration.ofDays(14);

    static String expiry(Instant expiresAt, Instant now) {
        if (expiresAt == null) {
            return "none";
        }
        if (!expiresAt.isAfter(now)) {
            return "expired";
        }
        return expiresAt.isBefore(now.plus(EXPIRING)) ? "expiring" : "valid";
    }

    /** The same credential with new details, changed by {@code by} at {@code at}; its value is untouched. */
    Credential withDetails(String name, String kind, String description, boolean agentReadable, Instant expiresAt,
            String lastFour, String by, Instant at) {
        return new Credential(id, orgId, scope, agentId, name, kind, description, agentReadable, expiresAt,
                expiry(expiresAt, at), version, lastFour, createdBy, by, createdAt, at, valueChangedAt, lastReadAt);
    }

    /**
     * The same credential with its next version of the value (whose hint is {@code lastFour}) and
     * the expiry that goes with it, set by {@code by}.
     */
    Credential rotated(String lastFour, Instant expiresAt, String by, Instant at) {
        return new Credential(id, orgId, scope, agentId, name, kind, description, agentReadable, expiresAt,
                expiry(expiresAt, at), version + 1, lastFour, createdBy, by, createdAt, at, at, lastReadAt);
    }

    boolean agentScoped() {
        return agentId != null;
    }

    /** The holder names are unique within: the agent for agent-scoped credentials, else the org. */
    UUID holder() {
        return agentScoped() ? agentId : orgId;
    }

    /** What the audit log keeps: never the value, nor any part of it. */
    Map<String, Object> auditState() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("name", name);
        state.put("kind", kind);
        state.put("scope", scope);
        state.put("agentId", agentId);
        state.put("description", description);
        state.put("agentReadable", agentReadable);
        state.put("expiresAt", expiresAt);
        state.put("version", version);
        return state;
    }
}
