package io.tenantry.billing.pricing;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonAlias;

/** The body of POST /api/settings/models: a new model, or a new price version of a known one. */
public record NewModelPrice(String model, String provider,
        @JsonAlias("input_price_per_million") BigDecimal inputPricePerMillion,
        @JsonAlias("output_price_per_million") BigDecimal outputPricePerMillion,
        @JsonAlias("cached_input_price_per_million") BigDecimal cachedInputPricePerMillion,
        @JsonAlias("effective_from") String effectiveFrom, String source) {
}
