package io.tenantry.billing.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;

/**
 * One version of a model's price, in USD per million tokens, in force from
 * {@code effectiveFrom} until the next version's. {@code cachedInputPricePerMillion} is
 * null where the provider has no cached-input price. {@code createdBy} names an operator:
 * only operators are shown it.
 */
public record ModelPrice(@Always UUID id, @Always String model, @Always String provider, @Always BigDecimal inputPricePerMillion,
        @Always BigDecimal outputPricePerMillion, BigDecimal cachedInputPricePerMillion, @Always String currency,
        @Always Instant effectiveFrom, String source, @Always Instant createdAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String createdBy) {

    public static final String CURRENCY = "USD";

    /** The version as a client user sees it: who on the operator's team entered it is not theirs to know. */
    ModelPrice withoutAuthor() {
        return new ModelPrice(id, model, provider, inputPricePerMillion, outputPricePerMillion,
                cachedInputPricePerMillion, currency, effectiveFrom, source, createdAt, null);
    }

    /** What cached input tokens are charged: the cached-input price, or the input price where there is none. */
    public BigDecimal chargedCachedInputPrice() {
        return cachedInputPricePerMillion != null ? cachedInputPricePerMillion : inputPricePerMillion;
    }

    /** A model as Settings -> Models lists it: the version in force now (or, if none yet, the first to come). */
    @Schema(name = "CurrentModelPrice")
    public record Current(@Always String model, @Always String provider, @Always BigDecimal inputPricePerMillion,
            @Always BigDecimal outputPricePerMillion, BigDecimal cachedInputPricePerMillion, @Always String currency,
            @Always Instant effectiveFrom, boolean inForce, Instant nextChange, int versions) {
    }
}
