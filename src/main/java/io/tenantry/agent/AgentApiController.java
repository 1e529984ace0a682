package io.tenantry.agent;

import java.util.UUID;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The agent-facing API. {@link AgentOperatingGate} has already refused paused agents and inactive orgs. */
@RestController
@RequestMapping("/agent/v1")
class AgentApiController {

    record Me(UUID id, String name, String status, Org org) {
    }

    record Org(UUID id, String name) {
    }

    @GetMapping("/me")
    Me me(@AuthenticationPrincipal AgentPrincipal agent) {
        return new Me(agent.agentId(), agent.agentName(), agent.status(), new Org(agent.orgId(), agent.orgName()));
    }
}
