package io.tenantry.gateway;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/** A route as an operator describes it, to create or to replace. */
@Schema(name = "GatewayRouteDefinition")
record RouteDefinition(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = Routes.MODEL_PATTERN,
                description = "The model name agents ask for.") String model,
        @ArraySchema(minItems = 1, maxItems = Routes.MAX_TARGETS, arraySchema = @Schema(
                requiredMode = Schema.RequiredMode.REQUIRED, description = "Tried in this order: the next one when "
                        + "the one before fails before its first byte, after its retries."))
        List<TargetDefinition> targets) {

    @Schema(name = "GatewayRouteTargetDefinition")
    record TargetDefinition(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "A provider's name.")
            String provider,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 200,
                    description = "The model as the provider names it.") String model,
            @Schema(minimum = "1", maximum = "10000000", description = "The most this model answers with, in "
                    + "tokens: what a call without max_tokens reserves against a blocking budget (the gateway's "
                    + "default output limit when absent), and the limit the model is sent for a call that sets none "
                    + "or a higher one.") @JsonAlias("max_output_tokens") Integer maxOutputTokens) {
    }
}
