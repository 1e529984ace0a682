package io.tenantry.identity;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.ArraySchema;

/** The body of POST /api/users. Pages default to the dashboard alone. */
@Schema(description = "A new dashboard user. client_org_id is accepted too.",
        example = "{\"email\": \"ana@acme.example\", \"name\": \"Ana\", \"password\": \"a long passphrase\", "
                + "\"role\": \"user\", \"clientOrgId\": \"3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f\", "
                + "\"pages\": [\"dashboard\", \"agents\", \"billing\"]}")
record NewUser(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "email", maxLength = 320) String email,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 200) String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "password", minLength = 10, maxLength = 72,
                description = "At least 10 characters, at most 72 bytes in UTF-8.") String password,
        @Schema(allowableValues = {"owner", "admin", "user"}, defaultValue = "user") String role,
        @Schema(format = "uuid", description = "For role user: the organization they are bound to and see alone.")
        @JsonAlias("client_org_id") UUID clientOrgId,
        @ArraySchema(arraySchema = @Schema(description = "The pages a user of role user may open; owners and "
                + "admins have all. By default the dashboard alone.", example = "[\"dashboard\", \"agents\"]"),
                schema = @Schema(implementation = Page.class)) List<String> pages) {
}
