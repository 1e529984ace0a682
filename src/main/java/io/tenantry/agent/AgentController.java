package io.tenantry.agent;

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

import com.fasterxml.jackson.annotation.JsonAlias;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

@RestController
@RequestMapping("/api/agents")
class AgentController {

    private final AgentService agents;
    private final AgentKeys keys;

    AgentController(AgentService agents, AgentKeys keys) {
        this.agents = agents;
        this.keys = keys;
    }

    record AssignRequest(@JsonAlias({"org_id", "clientOrgId"}) UUID orgId) {
    }

    @GetMapping
    CursorPage<Agent> list(OrgCallContext context, @RequestParam(required = false) String q,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return agents.list(context, q, PageRequest.of(limit, cursor));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Agent create(OrgCallContext context, @RequestBody(required = false) NewAgent request) {
        return agents.create(context, request);
    }

    @GetMapping("/{id}")
    Agent get(OrgCallContext context, @PathVariable UUID id) {
        return agents.get(context, id);
    }

    @PatchMapping("/{id}")
    Agent update(OrgCallContext context, @PathVariable UUID id,
            @RequestBody(required = false) Map<String, Object> patch) {
        return agents.update(context, id, new PatchBody(patch));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        agents.delete(context, id);
    }

    @PostMapping("/{id}/assign-org")
    Agent assign(OrgCallContext context, @PathVariable UUID id, @RequestBody(required = false) AssignRequest request) {
        return agents.assign(context, id, request == null ? null : request.orgId());
    }

    @PostMapping("/{id}/unassign-org")
    Agent unassign(OrgCallContext context, @PathVariable UUID id) {
        return agents.unassign(context, id);
    }

    @GetMapping("/{id}/assignments")
    CursorPage<Assignment> assignments(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return agents.assignments(context, id, PageRequest.of(limit, cursor));
    }

    @GetMapping("/{id}/keys")
    CursorPage<AgentKey> keys(OrgCallContext context, @PathVariable UUID id) {
        return keys.list(context, id);
    }

    @PostMapping("/{id}/keys")
    @ResponseStatus(HttpStatus.CREATED)
    AgentKey.Issued issueKey(OrgCallContext context, @PathVariable UUID id) {
        return keys.issue(context, id);
    }

    @DeleteMapping("/{id}/keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revokeKey(OrgCallContext context, @PathVariable UUID id, @PathVariable UUID keyId) {
        keys.revoke(context, id, keyId);
    }
}
