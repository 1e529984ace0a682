package io.tenantry.gateway;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.Schema;

/** A provider as an operator describes it, to create or to replace. */
@Schema(name = "GatewayProviderDefinition", description = "base_url, key_credential, key_header, connect_timeout_ms, "
        + "first_byte_timeout_ms, idle_timeout_ms and output_limit_field are accepted too.")
record ProviderDefinition(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = Providers.NAME_PATTERN) String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 2000, example = "https://api.openai.com/v1",
                description = "http or https; the operations are called below it (chat/completions, embeddings).")
        @JsonAlias("base_url") String baseUrl,
        @Schema(description = "The name of a vault credential of the default organization; a client organization's "
                + "own credential of the same name takes precedence for it.") @JsonAlias("key_credential")
        String keyCredential,
        @Schema(defaultValue = Provider.AUTHORIZATION) @JsonAlias("key_header") String keyHeader,
        @Schema(description = "Up to 20 extra headers.") Map<String, String> headers,
        @Schema(minimum = "100", maximum = "60000", defaultValue = "5000") @JsonAlias("connect_timeout_ms")
        Integer connectTimeoutMs,
        @Schema(minimum = "100", maximum = "600000", defaultValue = "60000",
                description = "How long to wait for the first byte of an answer before trying again.")
        @JsonAlias("first_byte_timeout_ms") Integer firstByteTimeoutMs,
        @Schema(minimum = "100", maximum = "600000", defaultValue = "60000",
                description = "How long a started answer may pause before it counts as cut.")
        @JsonAlias("idle_timeout_ms") Integer idleTimeoutMs,
        @Schema(allowableValues = {"max_tokens", "max_completion_tokens"}, defaultValue = Provider.MAX_TOKENS,
                description = Provider.OUTPUT_LIMIT_FIELD) @JsonAlias("output_limit_field") String outputLimitField) {
}
