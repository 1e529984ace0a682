package io.tenantry.vault;

import java.util.Map;
import java.util.Set;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.PatchBody;

/**
 * A credential's new value, and its new expiry when the rotation brings one. Read from the body's
 * fields rather than bound, because an absent expiresAt (keep the expiry) and a null one (no
 * expiry from now on) mean different things: an expired credential is rotated and given a new
 * expiry in one step, with no moment in which agents read the new value as expired.
 */
@Schema(name = "CredentialRotation")
record RotateRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, writeOnly = true,
        description = "The new secret, up to 16 KB in UTF-8. Never shown again.") String value,
        @Schema(hidden = true) boolean expiryGiven,
        @Schema(types = {"string", "null"}, format = "date-time", description = "The new value's expiry, in the "
                + "future; null for none. Absent, the credential keeps the expiry it has. expires_at is accepted too.")
        String expiresAt) {

    private static final Map<String, String> ALIASES = Map.of("expires_at", "expiresAt");

    static RotateRequest of(Map<String, Object> body) {
        PatchBody fields = new PatchBody(body).aliased(ALIASES);
        fields.allowOnly(Set.of("value", "expiresAt"), Map.of());
        return new RotateRequest(fields.text("value"), fields.has("expiresAt"), fields.text("expiresAt"));
    }

    @Override
    public String toString() {
        return "RotateRequest[value hidden, expiryGiven=" + expiryGiven + ", expiresAt=" + expiresAt + "]";
    }
}
