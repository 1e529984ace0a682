package io.tenantry.gateway;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.api.ApiTags;
import io.tenantry.api.ReadsItsBody;
import io.tenantry.api.RequestBodies;
import io.tenantry.api.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * OpenAI's API for agents, at /agent/v1: point the official SDK there with the agent key and
 * change nothing else. Errors come as OpenAI's error object (OpenAiErrors).
 */
@Tag(name = ApiTags.GATEWAY)
@RestController
class GatewayController {

    private final GatewayCalls calls;

    GatewayController(GatewayCalls calls) {
        this.calls = calls;
    }

    /** A model as OpenAI's API lists it. */
    record Model(String id, String object, long created, String owned_by) {
    }

    record ModelList(String object, List<Model> data) {
    }

    @Operation(operationId = "listGatewayModels", summary = "List the models this agent may use",
            description = "The routed models the agent's organization may use, as OpenAI's API lists models.")
    @GetMapping(value = "/agent/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    ModelList models(@AuthenticationPrincipal AgentPrincipal agent) {
        List<Model> models = new ArrayList<>();
        calls.models(agent).forEach((id, created) -> models.add(new Model(id, "model", created.getEpochSecond(),
                "tenantry")));
        return new ModelList("list", models);
    }

    @Operation(operationId = "getGatewayModel", summary = "Get a model this agent may use",
            description = "404 with code model_not_found for a model nobody routed or the organization may not use.")
    @GetMapping(value = "/agent/v1/models/{model}", produces = MediaType.APPLICATION_JSON_VALUE)
    Model model(@AuthenticationPrincipal AgentPrincipal agent, @PathVariable String model) {
        Map<String, java.time.Instant> models = calls.models(agent);
        java.time.Instant created = models.get(model);
        if (created == null) {
            throw GatewayError.modelNotFound(model);
        }
        return new Model(model, "model", created.getEpochSecond(), "tenantry");
    }

    @Operation(operationId = "createChatCompletion", summary = "Chat completion (OpenAI-compatible)",
            description = "OpenAI's chat completions, streamed or not, with tools and JSON mode passed through to "
                    + "the model's provider. Metered as usage of this agent; a paused agent or an inactive "
                    + "organization is refused before any upstream call.")
    @PostMapping("/agent/v1/chat/completions")
    @ReadsItsBody
    void chat(@AuthenticationPrincipal AgentPrincipal agent, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        calls.call(agent, GatewayCalls.CHAT, RequestBodies.readAll(request), response,
                RequestIds.of(request));
    }

    @Operation(operationId = "createEmbedding", summary = "Embeddings (OpenAI-compatible)",
            description = "OpenAI's embeddings, passed through to the model's provider and metered.")
    @PostMapping("/agent/v1/embeddings")
    @ReadsItsBody
    void embeddings(@AuthenticationPrincipal AgentPrincipal agent, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        calls.call(agent, GatewayCalls.EMBEDDINGS, RequestBodies.readAll(request), response,
                RequestIds.of(request));
    }
}
