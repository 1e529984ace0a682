package io.tenantry.vault;

import io.swagger.v3.oas.annotations.media.Schema;

/** A credential's new value. */
@Schema(name = "CredentialRotation")
record RotateRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, writeOnly = true,
        description = "The new secret, up to 16 KB in UTF-8. Never shown again.") String value) {

    @Override
    public String toString() {
        return "RotateRequest[value hidden]";
    }
}
