package io.tenantry.knowledge;

import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/** One piece of a document as search answers with it: its place in the document and its text. */
@Schema(name = "KnowledgeChunk")
record KnowledgeChunk(@Always UUID id, @Always int position, String heading, @Always String content) {
}
