package io.tenantry.vault;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * A credential in clear, as the agent that may read it gets it: the current value and,
 * during the grace period after a rotation, the one before, so a running agent can roll over.
 */
@Schema(name = "AgentCredential")
record AgentCredential(@Always String name, @Always String kind,
        @Schema(allowableValues = {"org", "agent"}) @Always String scope, @Always int version, @Always String value,
        Instant expiresAt,
        @Schema(description = "The value before the last rotation, while its grace period lasts; else null.")
        Previous previous) {

    @Schema(name = "AgentCredentialPrevious")
    record Previous(@Always int version, @Always String value,
            @Schema(description = "When this value is destroyed.") @Always Instant retiresAt) {

        @Override
        public String toString() {
            return "Previous[version=" + version + ", value hidden]";
        }
    }

    @Override
    public String toString() {
        return "AgentCredential[name=" + name + ", version=" + version + ", value hidden]";
    }
}
