package io.tenantry.agent;

import java.math.BigDecimal;
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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

@Tag(name = ApiTags.AGENTS)
@RestController
@RequestMapping("/api/agents")
class AgentController {

    private final AgentService agents;
    private final AgentKeys keys;

    AgentController(AgentService agents, AgentKeys keys) {
        this.agents = agents;
        this.keys = keys;
    }

    /** The body of assign-org, for the API document: AgentMove reads it. */
    record AssignRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "uuid",
            description = "The organization to move the agent to; org_id and clientOrgId are accepted too.")
            UUID orgId,
            @Schema(allowableValues = {"keep", "clear"}, description = MEMORY) String memory,
            @Schema(types = {"number", "string", "null"}, minimum = "0", maximum = "999999999999.99",
                    description = AMOUNTS) BigDecimal billingRateOverride,
            @Schema(types = {"number", "string", "null"}, minimum = "0.01", maximum = "999999999999.99",
                    description = AMOUNTS) BigDecimal monthlyBudget) {
    }

    /** The body of unassign-org, for the API document: AgentMove reads it. */
    record UnassignRequest(@Schema(allowableValues = {"keep", "clear"}, description = MEMORY) String memory,
            @Schema(types = {"number", "string", "null"}, minimum = "0", maximum = "999999999999.99",
                    description = AMOUNTS) BigDecimal billingRateOverride,
            @Schema(types = {"number", "string", "null"}, minimum = "0.01", maximum = "999999999999.99",
                    description = AMOUNTS) BigDecimal monthlyBudget) {
    }

    private static final String AMOUNTS = "The agent's billing rate override and monthly budget from the move on, "
            + "in the new organization's currency (null for none): send both or neither. Neither keeps the agent's "
            + "own, which is refused (409) when they are set and the new organization bills in another currency. "
            + "billing_rate_override and monthly_budget are accepted too.";

    private static final String MEMORY = "What becomes of the agent's memory: `keep` (the default) moves it with "
            + "the agent, `clear` deletes it, for when it may hold the previous client's information. The choice "
            + "is in both organizations' audit logs.";

    /** The body of PATCH /{id}, for the API document: the service reads the fields present (PatchBody). */
    @Schema(name = "AgentChanges", description = "The fields to change; those not given stay. "
            + "billing_rate_override and monthly_budget are accepted too. To move an agent, use assign-org; to pause, resume or stop "
            + "it, the endpoints of those names.")
    record Changes(@Schema(maxLength = 200) String name,
            @Schema(types = {"string", "null"}, format = "email", maxLength = 320) String email,
            @Schema(maxLength = 2000) String description, @Schema(maxLength = 100) String model,
            @Schema(types = {"number", "string", "null"}, minimum = "0", maximum = "999999999999.99")
            BigDecimal billingRateOverride,
            @Schema(types = {"number", "string", "null"}, minimum = "0.01", maximum = "999999999999.99",
                    description = "The most the agent may spend on models in a month, in its organization's "
                            + "currency; null for none.") BigDecimal monthlyBudget) {
    }

    private static final String LIST_EXAMPLE = """
            {"items": [{"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "name": "Support bot",
              "email": "support-bot@acme.example", "description": null, "model": "gpt-4o", "status": "active",
              "clientOrgId": "3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f", "clientOrgName": "Acme Corp",
              "billingRateOverride": null, "effectiveBillingRate": 499.00, "clientOrgCurrency": "USD",
              "effectiveStatus": "active",
              "createdAt": "2026-11-02T09:30:00Z", "updatedAt": "2026-11-02T09:30:00Z"}],
             "nextCursor": "U3VwcG9ydCBib3QfN2M5ZTY2NzktNzQyNS00MGRlLTk0NGItZTA3ZmMxZjkwYWU3"}
            """;

    @Operation(operationId = "listAgents", summary = "List agents",
            description = "The agents in the org context; `q` searches their names.")
    @ApiResponse(responseCode = "200", description = "A page of agents, by name.", useReturnTypeSchema = true,
            content = @Content(mediaType = "application/json", examples = @ExampleObject(value = LIST_EXAMPLE)))
    @GetMapping
    CursorPage<Agent> list(OrgCallContext context,
            @Parameter(description = "Search text.", schema = @Schema(type = "string", maxLength = 200))
            @RequestParam(required = false) String q,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return agents.list(context, q, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createAgent", summary = "Create an agent",
            description = "Adds an agent to the organization given (`clientOrgId`), or to the org context's "
                    + "organization, or to the default organization. Owners and admins only.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Agent create(OrgCallContext context, @RequestBody(required = false) NewAgent request) {
        return agents.create(context, request);
    }

    @Operation(operationId = "getAgent", summary = "Get an agent",
            description = "One agent, if it is in the org context.")
    @GetMapping("/{id}")
    Agent get(OrgCallContext context, @PathVariable UUID id) {
        return agents.get(context, id);
    }

    @Operation(operationId = "updateAgent", summary = "Change an agent",
            description = "Changes the fields given; fields not given stay. Owners and admins only.")
    @PatchMapping("/{id}")
    Agent update(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch) {
        return agents.update(context, id, new PatchBody(patch));
    }

    @Operation(operationId = "deleteAgent", summary = "Delete an agent",
            description = "Removes the agent; its usage and history stay on its organizations' records. Owners and "
                    + "admins only.")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        agents.delete(context, id);
    }

    @Operation(operationId = "assignAgentToOrg", summary = "Move an agent to an organization",
            description = "Assigns the agent to another organization from now on; usage before the move stays billed "
                    + "to the earlier one, and its memory moves with it or is cleared, as `memory` says. Its own "
                    + "billing rate override and monthly budget go with it, or are restated with the move: they must "
                    + "be when the new organization bills in another currency. The agent must be in the org context, if "
                    + "one is given. Owners and admins only.")
    @PostMapping("/{id}/assign-org")
    Agent assign(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = AssignRequest.class)))
            @RequestBody(required = false) Map<String, Object> request) {
        return agents.assign(context, id, AgentMove.assignment(request));
    }

    @Operation(operationId = "unassignAgentFromOrg", summary = "Return an agent to the default organization",
            description = "Moves the agent back to the operator's default organization, its memory kept unless the "
                    + "body says `{\"memory\": \"clear\"}`. The agent must be in the org context, if one is given. Owners "
                    + "and admins only.")
    @PostMapping("/{id}/unassign-org")
    Agent unassign(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = UnassignRequest.class)))
            @RequestBody(required = false) Map<String, Object> request) {
        return agents.assign(context, id, AgentMove.unassignment(request));
    }

    @Operation(operationId = "listAgentAssignments", summary = "An agent's assignment history",
            description = "Which organization held the agent when, newest first.")
    @GetMapping("/{id}/assignments")
    CursorPage<Assignment> assignments(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return agents.assignments(context, id, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "listAgentKeys", summary = "List an agent's keys",
            description = "The agent's keys, shown by prefix (the key itself is shown once, when issued): the keys "
                    + "that work first, at most " + AgentKeyRepository.MAX_KEYS_PER_AGENT + ", then the revoked, "
                    + "each newest first.")
    @GetMapping("/{id}/keys")
    CursorPage<AgentKey> keys(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return keys.list(context, id, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "issueAgentKey", summary = "Issue an agent key",
            description = "Issues a key for the agent; the answer holds the key, which is never shown again. Owners "
                    + "and admins only.")
    @PostMapping("/{id}/keys")
    @ResponseStatus(HttpStatus.CREATED)
    AgentKey.Issued issueKey(OrgCallContext context, @PathVariable UUID id) {
        return keys.issue(context, id);
    }

    @Operation(operationId = "revokeAgentKey", summary = "Revoke an agent key",
            description = "The key stops working on the next request. Owners and admins only.")
    @DeleteMapping("/{id}/keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revokeKey(OrgCallContext context, @PathVariable UUID id, @PathVariable UUID keyId) {
        keys.revoke(context, id, keyId);
    }
}
