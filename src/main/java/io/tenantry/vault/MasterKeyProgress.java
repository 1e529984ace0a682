package io.tenantry.vault;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/** How far the re-wrapping of the orgs' data keys under the current master key is. */
@Schema(name = "MasterKeyRotation")
record MasterKeyProgress(
        @Schema(allowableValues = {"idle", "running", "done", "failed", "incomplete"}, description = "incomplete: "
                + "some data keys are still wrapped under an earlier master key (a rotation stopped); ask again to "
                + "resume it.") @Always String state,
        @Schema(description = "Data keys wrapped under the current master key.") @Always long done,
        @Always long total,
        @Schema(description = "The current master key's id (a fingerprint, not the key).") @Always String masterKeyId,
        @Schema(allowableValues = {"setting", "file"}, description = "Where the master key comes from: "
                + "TENANTRY_MASTER_KEY or the key file in the data directory.") @Always String source,
        Instant startedAt, Instant finishedAt) {
}
