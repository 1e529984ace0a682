package io.tenantry.memory;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.Schema;

/** A memory entry to add, as the request gives it; checked by MemoryEntryFields. */
@Schema(name = "NewMemoryEntry")
record NewMemoryEntry(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                allowableValues = {"fact", "preference", "context", "procedure", "relationship"}) String category,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 200) String title,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 16384,
                description = "What to remember: up to 16 KB (16,384 bytes in UTF-8).") String content,
        @Schema(types = {"integer", "string"}, minimum = "1", maximum = "5",
                description = "1 (trivia) to 5 (vital); 3 when not given.") Object importance,
        @Schema(description = "Up to 20 tags of up to 64 characters; compared in lower case.") List<String> tags,
        @Schema(format = "date-time", description = "When to forget it (in the future, before 2200); never when "
                + "not given.") @JsonAlias("expires_at") String expiresAt) {
}
