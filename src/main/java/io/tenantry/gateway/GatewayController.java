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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
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

    /** For the API document: the fields of a chat request the gateway reads; OpenAI's others are passed on. */
    @Schema(name = "ChatCompletionRequest", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record ChatRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "A model a route maps, or one "
                    + "GET /agent/v1/models lists.") String model,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "OpenAI's messages.")
            List<Map<String, Object>> messages,
            @Schema(description = "true for the answer as server-sent events.") Boolean stream) {
    }

    /** For the API document: the fields of an embeddings request the gateway reads; OpenAI's others are passed on. */
    @Schema(name = "EmbeddingsRequest", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record EmbeddingsRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "A model a route maps.") String model,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, types = {"string", "array"},
                    description = "A text, texts, or token arrays.") Object input) {
    }

    @Operation(operationId = "createChatCompletion", summary = "Chat completion (OpenAI-compatible)",
            description = "OpenAI's chat completions, streamed or not, with tools and JSON mode passed through to "
                    + "the model's provider. Metered as usage of this agent; a paused agent or an inactive "
                    + "organization is refused before any upstream call.",
            requestBody = @RequestBody(required = true, description = "OpenAI's chat completion request (model, "
                    + "messages, and any of its other fields), passed on as it is but for the output limit.",
                    content = @Content(mediaType = "application/json",
                            schema = @Schema(implementation = ChatRequest.class))),
            responses = @ApiResponse(responseCode = "200", description = "OpenAI's chat completion, or with stream: "
                    + "true its chunks as server-sent events.", content = {
                            @Content(mediaType = "application/json", schema = @Schema(type = "object")),
                            @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"))}))
    @PostMapping("/agent/v1/chat/completions")
    @ReadsItsBody
    void chat(@AuthenticationPrincipal AgentPrincipal agent, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        calls.call(agent, GatewayCalls.CHAT, RequestBodies.readAll(request), response,
                RequestIds.of(request));
    }

    @Operation(operationId = "createEmbedding", summary = "Embeddings (OpenAI-compatible)",
            description = "OpenAI's embeddings, passed through to the model's provider and metered.",
            requestBody = @RequestBody(required = true, description = "OpenAI's embeddings request (model, input, "
                    + "and any of its other fields), passed on as it is.", content = @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = EmbeddingsRequest.class))),
            responses = @ApiResponse(responseCode = "200", description = "OpenAI's embeddings list.",
                    content = @Content(mediaType = "application/json", schema = @Schema(type = "object"))))
    @PostMapping("/agent/v1/embeddings")
    @ReadsItsBody
    void embeddings(@AuthenticationPrincipal AgentPrincipal agent, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        calls.call(agent, GatewayCalls.EMBEDDINGS, RequestBodies.readAll(request), response,
                RequestIds.of(request));
    }
}
