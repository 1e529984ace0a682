package io.tenantry.knowledge;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.Schema;

/** A document written in the request (uploads are multipart, see KnowledgeController). */
@Schema(name = "NewKnowledgeDocument")
record NewDocument(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 300) String title,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 1048576,
                description = "The text: Markdown or plain text, up to 1 MB in UTF-8.") String content,
        @Schema(allowableValues = {"text/markdown", "text/plain"}, description = "text/markdown when not given.")
        @JsonAlias("content_type") String contentType,
        @Schema(description = "Up to 20 tags of up to 64 characters; compared in lower case.") List<String> tags,
        @Schema(maxLength = 2000, description = "Where the text comes from (a URL, a file name).") String source,
        @Schema(description = "Searchable by every organization's agents; default organization only.")
        Boolean shared) {
}
