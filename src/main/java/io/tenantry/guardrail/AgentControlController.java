package io.tenantry.guardrail;

import java.util.UUID;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.Agent;
import io.tenantry.agent.AgentService.StatusChange;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;

/** A person's hand on an agent: pause, resume, stop; each with a reason, on the intervention log. */
@Tag(name = ApiTags.GUARDRAILS)
@RestController
class AgentControlController {

    private final Interventions interventions;

    AgentControlController(Interventions interventions) {
        this.interventions = interventions;
    }

    @Schema(name = "AgentControl")
    record Reason(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 500,
            description = "Why, in words: it goes on the intervention log.") String reason) {
    }

    @Operation(operationId = "pauseAgent", summary = "Pause an agent",
            description = "The agent's calls are refused (403) until it is resumed. Operators, and users with the "
                    + "interventions page for the agent's organization.")
    @PostMapping("/api/agents/{id}/pause")
    Agent pause(OrgCallContext context, @PathVariable UUID id, @RequestBody(required = false) Reason body) {
        return interventions.control(context, id, StatusChange.pause, body == null ? null : body.reason());
    }

    @Operation(operationId = "resumeAgent", summary = "Resume an agent",
            description = "A paused or stopped agent may call again (a stopped one needs a new key). Operators, and "
                    + "users with the interventions page for the agent's organization.")
    @PostMapping("/api/agents/{id}/resume")
    Agent resume(OrgCallContext context, @PathVariable UUID id, @RequestBody(required = false) Reason body) {
        return interventions.control(context, id, StatusChange.resume, body == null ? null : body.reason());
    }

    @Operation(operationId = "stopAgent", summary = "Stop an agent",
            description = "Pauses the agent and revokes every key it has. Operators, and users with the "
                    + "interventions page for the agent's organization.")
    @PostMapping("/api/agents/{id}/stop")
    Agent stop(OrgCallContext context, @PathVariable UUID id, @RequestBody(required = false) Reason body) {
        return interventions.control(context, id, StatusChange.stop, body == null ? null : body.reason());
    }
}
