package io.tenantry.policy;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of POST /api/policies. */
@Schema(name = "NewPolicy")
record NewPolicy(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 200) String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"code_of_conduct", "communication",
                "data_handling", "brand_voice", "security", "escalation", "custom"}) String category,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                allowableValues = {"mandatory", "recommended", "informational"}) String enforcement,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 65536,
                description = "Markdown, up to 64 KB in UTF-8.") String content,
        @Schema(types = {"string", "array"}, description = "\"all\" (the default) or a list of up to 500 ids of "
                + "the organization's agents; applies_to is accepted too.", example = "all")
        @JsonAlias("applies_to") Object appliesTo,
        @Schema(description = "true unless given.") Boolean enabled) {
}
