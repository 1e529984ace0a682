package io.tenantry.memory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * One thing an agent remembers, in the org that holds the agent now. {@code createdBy} and
 * {@code updatedBy} name who wrote it: the agent itself or a person on the dashboard.
 */
@Schema(name = "MemoryEntry")
record MemoryEntry(@Always UUID id, @Always UUID agentId,
        @Schema(description = "The organization that holds the agent now.") @Always UUID orgId,
        @Schema(allowableValues = {"fact", "preference", "context", "procedure", "relationship"}) @Always
        String category, @Always String title, @Always String content,
        @Schema(minimum = "1", maximum = "5") @Always int importance, @Always List<String> tags,
        @Schema(description = "When the entry is forgotten; null for never.") Instant expiresAt,
        @Always String createdBy, @Always String updatedBy, @Always Instant createdAt, @Always Instant updatedAt) {

    /** The same entry with what a change gives, written by {@code by} at {@code at}. */
    MemoryEntry changed(String category, String title, String content, int importance, List<String> tags,
            Instant expiresAt, String by, Instant at) {
        return new MemoryEntry(id, agentId, orgId, category, title, content, importance, tags, expiresAt, createdBy,
                by, createdAt, at);
    }

    boolean sameContentAs(MemoryEntry other) {
        return category.equals(other.category) && title.equals(other.title) && content.equals(other.content)
                && importance == other.importance && tags.equals(other.tags)
                && java.util.Objects.equals(expiresAt, other.expiresAt);
    }

    /** What the audit log keeps: not the text (it may hold a client's information), only its size. */
    Map<String, Object> auditState() {
        Map<String, Object> state = new java.util.LinkedHashMap<>();
        state.put("agentId", agentId);
        state.put("category", category);
        state.put("title", title);
        state.put("sizeBytes", content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        state.put("importance", importance);
        state.put("tags", tags);
        state.put("expiresAt", expiresAt);
        return state;
    }
}
