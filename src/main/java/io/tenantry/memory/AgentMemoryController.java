package io.tenantry.memory;

import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;
import jakarta.servlet.http.HttpServletRequest;

/**
 * An agent's own memory, by its key: the agent is the one the key belongs to, in the org
 * that holds it now, so no id in a request can reach another agent's memory. A request
 * that meets the agent's move is decided again in its new org (RecentAgentKeys.actAs).
 */
@Tag(name = ApiTags.AGENT_API)
@RestController
@RequestMapping("/agent/v1/memory")
class AgentMemoryController {

    private final AgentMemory memory;
    private final RecentAgentKeys recentKeys;

    AgentMemoryController(AgentMemory memory, RecentAgentKeys recentKeys) {
        this.memory = memory;
        this.recentKeys = recentKeys;
    }

    @Operation(operationId = "listOwnMemory", summary = "List or search this agent's memory",
            description = "This agent's unexpired entries, most important first; with q, those holding every word "
                    + "of it (in title, content or tags, ignoring case).")
    @GetMapping
    CursorPage<MemoryEntry> list(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @RequestParam(required = false) String q, @RequestParam(required = false) String category,
            @RequestParam(required = false) String tag, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor, HttpServletRequest http) {
        PageRequest page = PageRequest.of(limit, cursor);
        return recentKeys.actAs(context, agent, http, (acting, self) -> memory.list(acting, self.agentId(), category,
                tag, q, page));
    }

    @Operation(operationId = "createOwnMemory", summary = "Remember something",
            description = "A new entry in this agent's memory. An agent holds at most a stated number of "
                    + "unexpired entries (1,000 unless the operator set another); beyond it, 409.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    MemoryEntry create(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @RequestBody(required = false) NewMemoryEntry request, HttpServletRequest http) {
        return recentKeys.actAs(context, agent, http, (acting, self) -> memory.create(acting, self.agentId(),
                request));
    }

    @Operation(operationId = "getOwnMemory", summary = "Get one of this agent's memory entries",
            description = "One unexpired entry; another agent's entry is not found.")
    @GetMapping("/{entryId}")
    MemoryEntry get(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @PathVariable UUID entryId, HttpServletRequest http) {
        return recentKeys.actAs(context, agent, http, (acting, self) -> memory.get(acting, self.agentId(), entryId));
    }

    @Operation(operationId = "updateOwnMemory", summary = "Change one of this agent's memory entries",
            description = "Changes the fields given; fields not given stay.")
    @PatchMapping("/{entryId}")
    MemoryEntry update(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @PathVariable UUID entryId,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = MemoryController.Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch, HttpServletRequest http) {
        PatchBody changes = new PatchBody(patch);
        return recentKeys.actAs(context, agent, http, (acting, self) -> memory.update(acting, self.agentId(), entryId,
                changes));
    }

    @Operation(operationId = "deleteOwnMemory", summary = "Forget one of this agent's memory entries",
            description = "Deletes the entry for good.")
    @DeleteMapping("/{entryId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent, @PathVariable UUID entryId,
            HttpServletRequest http) {
        recentKeys.actAs(context, agent, http, (acting, self) -> {
            memory.delete(acting, self.agentId(), entryId);
            return null;
        });
    }
}
