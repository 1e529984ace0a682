package io.tenantry.billing.pricing;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.swagger.v3.oas.annotations.media.Schema;

/** The body of POST /api/settings/models: a new model, or a new price version of a known one. */
@Schema(description = "A model's price in USD per million tokens. The snake_case names (input_price_per_million, "
        + "output_price_per_million, cached_input_price_per_million, effective_from) are accepted too.",
        example = "{\"model\": \"gpt-4o\", \"provider\": \"openai\", \"inputPricePerMillion\": \"2.50\", "
                + "\"outputPricePerMillion\": \"10.00\"}")
public record NewModelPrice(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$")
        String model,
        @Schema(maxLength = 50, description = "Required for a model without a price yet.") String provider,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, types = {"number", "string"}, minimum = "0",
                maximum = "1000000", description = "At most 6 decimals.")
        @JsonAlias("input_price_per_million") BigDecimal inputPricePerMillion,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, types = {"number", "string"}, minimum = "0",
                maximum = "1000000", description = "At most 6 decimals.")
        @JsonAlias("output_price_per_million") BigDecimal outputPricePerMillion,
        @Schema(types = {"number", "string"}, minimum = "0", maximum = "1000000", description = "At most 6 decimals.")
        @JsonAlias("cached_input_price_per_million") BigDecimal cachedInputPricePerMillion,
        @Schema(format = "date-time", description = "From when the price applies; now when not given, never in "
                + "the past: a time up to 5 minutes ago (a client clock running behind) means now, an earlier one is "
                + "refused.") @JsonAlias("effective_from") String effectiveFrom,
        @Schema(maxLength = 200, description = "Where the price comes from, such as the provider's price page.")
        String source) {
}
