package io.tenantry.knowledge;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * A document of one organization's knowledge base, as the API shows it. {@code content} is
 * the text as extracted and is given with one document only, not in lists. {@code editable}
 * says whether the caller may change it: a shared document is read-only to client orgs.
 */
@Schema(name = "KnowledgeDocument")
record KnowledgeDocument(@Always UUID id,
        @Schema(description = "Null for a shared document seen from another organization.") UUID orgId,
        @Always String title, String source,
        @Always List<String> tags, @Always boolean shared, @Always boolean editable, @Always String contentType,
        String fileName, @Always long sizeBytes, @Always int chunkCount, @Always int version,
        @Schema(description = "Null for a shared document seen from another organization.") String createdBy,
        @Always Instant createdAt, @Always Instant updatedAt,
        @Schema(description = "The text as extracted; given with one document, null in lists.") String content) {

    /** The same document as changed at {@code at}. */
    KnowledgeDocument changedAt(Instant at) {
        return new KnowledgeDocument(id, orgId, title, source, tags, shared, editable, contentType, fileName, sizeBytes,
                chunkCount, version, createdBy, createdAt, at, content);
    }

    /**
     * As a caller outside its org sees a shared document: read-only, without the default
     * organization's id or the name of whoever wrote it.
     */
    KnowledgeDocument seenFromAnotherOrg() {
        return new KnowledgeDocument(id, null, title, source, tags, shared, false, contentType, fileName, sizeBytes,
                chunkCount, version, null, createdAt, updatedAt, content);
    }

    KnowledgeDocument editableBy(boolean may) {
        return new KnowledgeDocument(id, orgId, title, source, tags, shared, may, contentType, fileName, sizeBytes,
                chunkCount, version, createdBy, createdAt, updatedAt, content);
    }

    /** What the audit log keeps of it: everything but the text, and the text's size. */
    java.util.Map<String, Object> auditState() {
        java.util.Map<String, Object> state = new java.util.LinkedHashMap<>();
        state.put("title", title);
        state.put("source", source);
        state.put("tags", tags);
        state.put("shared", shared);
        state.put("contentType", contentType);
        state.put("fileName", fileName);
        state.put("sizeBytes", sizeBytes);
        state.put("version", version);
        return state;
    }
}
