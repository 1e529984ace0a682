package io.tenantry.vault;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.Schema;

/** A credential to store, as the request gives it; checked by the vault. */
@Schema(name = "NewCredential", description = "agent_id, expires_at and agent_readable are accepted too.")
record NewCredential(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = Vault.MAX_NAME, pattern = Vault.NAME_PATTERN,
                description = "Unique among the org's credentials (scope org) or the agent's (scope agent); letters, "
                        + "digits, '.', '_' and '-', as agents ask for it in a URL.") String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                allowableValues = {"api_key", "oauth_token", "password", "smtp", "webhook_secret", "other"})
        String kind,
        @Schema(allowableValues = {"org", "agent"}, description = "org when not given.") String scope,
        @Schema(format = "uuid", description = "With scope agent: an agent of the same organization.")
        @JsonAlias("agent_id")
        String agentId,
        @Schema(maxLength = 1000) String description,
        @Schema(format = "date-time", description = "When the value stops being served to agents (in the future, "
                + "before 2200); never when not given.") @JsonAlias("expires_at") String expiresAt,
        @Schema(types = {"boolean"}, description = "Whether agents may fetch the value; true when not given. False "
                + "for keys only the server itself uses.") @JsonAlias("agent_readable") Object agentReadable,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, writeOnly = true,
                description = "The secret, up to 16 KB in UTF-8. Never shown again.") String value) {

    /** Without the value: what may appear in a log line or an error, should this record ever reach one. */
    @Override
    public String toString() {
        return "NewCredential[name=" + name + ", kind=" + kind + ", scope=" + scope + ", agentId=" + agentId + "]";
    }
}
