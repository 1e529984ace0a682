package io.tenantry.memory;

import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

/** An agent's memory as its org's users keep it, with the memory page, in their org context. */
@Tag(name = ApiTags.MEMORY)
@RestController
@RequestMapping("/api/agents/{agentId}/memory")
class MemoryController {

    private final AgentMemory memory;

    MemoryController(AgentMemory memory) {
        this.memory = memory;
    }

    /** The body of PATCH, for the API document: the service reads the fields present (PatchBody). */
    @Schema(name = "MemoryEntryChanges", description = "The fields to change; those not given stay. expiresAt null "
            + "keeps the entry for good. expires_at is accepted too.")
    record Changes(@Schema(allowableValues = {"fact", "preference", "context", "procedure", "relationship"})
            String category, @Schema(maxLength = 200) String title,
            @Schema(maxLength = 16384, description = "Up to 16 KB in UTF-8.") String content,
            @Schema(types = {"integer", "string"}, minimum = "1", maximum = "5") Object importance,
            java.util.List<String> tags, @Schema(types = {"string", "null"}, format = "date-time") String expiresAt) {
    }

    @Operation(operationId = "listAgentMemory", summary = "List or search an agent's memory",
            description = "The agent's unexpired entries, most important first, then most recently changed; with "
                    + "q, those holding every word of it (in title, content or tags, ignoring case).")
    @GetMapping
    CursorPage<MemoryEntry> list(OrgCallContext context, @PathVariable UUID agentId,
            @Parameter(description = "Words to search for, plain text.", schema = @Schema(type = "string",
                    maxLength = AgentMemory.MAX_QUERY)) @RequestParam(required = false) String q,
            @Parameter(schema = @Schema(type = "string", allowableValues = {"fact", "preference", "context",
                    "procedure", "relationship"})) @RequestParam(required = false) String category,
            @RequestParam(required = false) String tag, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return memory.list(context, agentId, category, tag, q, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createAgentMemory", summary = "Add to an agent's memory",
            description = "A new entry in the agent's memory, in the organization that holds the agent. An agent "
                    + "holds at most a stated number of unexpired entries (1,000 unless the operator set another).")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    MemoryEntry create(OrgCallContext context, @PathVariable UUID agentId,
            @RequestBody(required = false) NewMemoryEntry request) {
        return memory.create(context, agentId, request);
    }

    @Operation(operationId = "getAgentMemory", summary = "Get a memory entry",
            description = "One unexpired entry of the agent's memory.")
    @GetMapping("/{entryId}")
    MemoryEntry get(OrgCallContext context, @PathVariable UUID agentId, @PathVariable UUID entryId) {
        return memory.get(context, agentId, entryId);
    }

    @Operation(operationId = "updateAgentMemory", summary = "Change a memory entry",
            description = "Changes the fields given; fields not given stay.")
    @PatchMapping("/{entryId}")
    MemoryEntry update(OrgCallContext context, @PathVariable UUID agentId, @PathVariable UUID entryId,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch) {
        return memory.update(context, agentId, entryId, new PatchBody(patch));
    }

    @Operation(operationId = "deleteAgentMemory", summary = "Forget a memory entry",
            description = "Deletes the entry for good.")
    @DeleteMapping("/{entryId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID agentId, @PathVariable UUID entryId) {
        memory.delete(context, agentId, entryId);
    }
}
