package io.tenantry.agent;

import java.util.UUID;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.Always;
import io.tenantry.api.ApiTags;

/** The agent-facing API. {@link AgentOperatingGate} has already refused paused agents and inactive orgs. */
@Tag(name = ApiTags.AGENT_API)
@RestController
@RequestMapping("/agent/v1")
class AgentApiController {

    @Schema(name = "CurrentAgent")
    record Me(@Always UUID id, @Always String name, @Schema(allowableValues = "active") @Always String status, @Always Org org) {
    }

    @Schema(name = "AgentOrg")
    record Org(@Always UUID id, @Always String name) {
    }

    @Operation(operationId = "getCurrentAgent", summary = "Which agent this key belongs to",
            description = "The agent of the key and the organization that holds it now. A paused agent, or an agent of an inactive organization, is answered 403 with the reason, here as on every agent call but usage reports: usage that happened before the pause is still billed.")
    @GetMapping("/me")
    Me me(@AuthenticationPrincipal AgentPrincipal agent) {
        return new Me(agent.agentId(), agent.agentName(), agent.status(), new Org(agent.orgId(), agent.orgName()));
    }
}
