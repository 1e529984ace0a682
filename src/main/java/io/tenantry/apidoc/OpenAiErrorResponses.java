package io.tenantry.apidoc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;

/**
 * The errors of the gateway's OpenAI-compatible routes (api.Problems.openAiShaped), as the
 * document describes them: OpenAI's error object, not a problem detail, with the statuses
 * the gateway answers. Shared responses named {@code OpenAi} and the status.
 */
final class OpenAiErrorResponses {

    static final String PREFIX = "OpenAi";

    /** The statuses of a call (chat completions, embeddings). */
    static final List<String> CALL = List.of("400", "401", "402", "403", "404", "408", "413", "429", "502", "503",
            "504");
    /** The statuses of the model list. */
    static final List<String> MODELS = List.of("400", "401", "403");

    private OpenAiErrorResponses() {
    }

    static String name(String status) {
        return PREFIX + status;
    }

    static Map<String, ApiResponse> all() {
        Map<String, ApiResponse> responses = new LinkedHashMap<>();
        responses.put(name("400"), error("The request is malformed (not JSON, without a model or messages, a bad "
                + "max_tokens or n), or an input guardrail blocked its prompt (code content_blocked); fields the "
                + "gateway does not read go to the provider as they are. A provider's own refusal of the "
                + "request (400, 413, 422 and other 4xx but 401, 403, 404 and 429) comes with the provider's "
                + "status and words."));
        responses.put(name("401"), error("No valid agent key (code invalid_api_key)."));
        responses.put(name("402"), error("The call could cost more than is left of the organization's or the "
                + "agent's monthly budget under budgetEnforcement block (code budget_exceeded; the error's "
                + "`budget` names the budget, what is spent and what is reserved), or the budget cannot be "
                + "checked (budget_unverifiable)."));
        responses.put(name("403"), error("The agent is paused, its organization is inactive, or the organization "
                + "may not use the model."));
        responses.put(name("404"), error("No such model for this agent's organization (code model_not_found)."));
        responses.put(name("408"), error("The request body did not arrive within the server's body timeout."));
        responses.put(name("413"), error("The request body is larger than the gateway takes."));
        responses.put(name("429"), retryable(error("A rate limit of the agent or its organization (code "
                + "rate_limit_exceeded, with the x-ratelimit-* headers), the organization's share of this node's "
                + "calls at once in use (too_many_calls_in_progress), or the provider's rate limit "
                + "(upstream_rate_limited).")));
        responses.put(name("502"), error("The model's provider failed, refused the gateway's key or model, cannot "
                + "be reached, or broke off its answer (codes upstream_*, provider_key_*)."));
        responses.put(name("503"), retryable(error("This node is serving its most gateway calls at once (code "
                + "server_overloaded), or is stopping (gateway_stopping): send the call again.")));
        responses.put(name("504"), error("The model's provider did not answer in time (code upstream_timeout)."));
        return responses;
    }

    private static ApiResponse error(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType(
                org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + ApiDocument.OPENAI_ERROR))));
    }

    private static ApiResponse retryable(ApiResponse response) {
        return response.addHeaderObject("Retry-After", new Header().description("Seconds to wait before sending "
                + "the call again.").schema(new IntegerSchema()));
    }
}
