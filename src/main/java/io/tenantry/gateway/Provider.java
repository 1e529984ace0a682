package io.tenantry.gateway;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * An upstream that speaks OpenAI's protocol. Its key is never here: {@code keyCredential}
 * names a vault credential, the default organization's (the platform's key) or a client
 * organization's own of the same name, which then pays for that organization's calls.
 */
@Schema(name = "GatewayProvider")
public record Provider(@Always UUID id, @Always String name, @Always String baseUrl,
        @Schema(description = "The vault credential holding the key; none for an upstream without keys.")
        String keyCredential,
        @Always @Schema(description = "Authorization sends 'Bearer <key>'; any other header sends the key as it is "
                + "(Azure OpenAI: api-key).") String keyHeader,
        @Always @Schema(description = "Sent with every call. Not secret: keys belong in the vault.")
        Map<String, String> headers,
        @Always int connectTimeoutMs, @Always int firstByteTimeoutMs, @Always int idleTimeoutMs,
        @Always @Schema(allowableValues = {"max_tokens", "max_completion_tokens"}, description = OUTPUT_LIMIT_FIELD)
        String outputLimitField,
        @Always Instant createdAt, @Always Instant updatedAt) {

    public static final String AUTHORIZATION = "Authorization";
    static final String MAX_TOKENS = "max_tokens";
    static final String MAX_COMPLETION_TOKENS = "max_completion_tokens";
    static final String OUTPUT_LIMIT_FIELD = "The field that carries a call's output limit to the provider, "
            + "whichever field the call set it in, and the limit the gateway adds to a call that set none where "
            + "its organization blocks over budget or limits tokens per minute, or its route's target says the most "
            + "its model answers with (so that what the call holds and is billed bounds what it can cost): "
            + "max_tokens, which OpenAI-compatible upstreams read, or max_completion_tokens, which OpenAI's and "
            + "Azure OpenAI's reasoning models require.";

    /** The address of one of the provider's operations, such as chat/completions. */
    String address(String operation) {
        return baseUrl.endsWith("/") ? baseUrl + operation : baseUrl + "/" + operation;
    }
}
