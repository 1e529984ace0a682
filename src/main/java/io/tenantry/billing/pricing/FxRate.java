package io.tenantry.billing.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;

/**
 * How many units of {@code currency} one US dollar buys, from {@code effectiveFrom} on.
 * {@code updatedBy} names an operator: only operators are shown it.
 */
public record FxRate(@Always String currency, @Always YearMonth effectiveFrom, @Always BigDecimal rate, @Always Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String updatedBy) {

    /** The entry as a client user sees it: who on the operator's team set it is not theirs to know. */
    FxRate withoutAuthor() {
        return new FxRate(currency, effectiveFrom, rate, updatedAt, null);
    }

    /** Settings -> Exchange rates: each currency's rate for the current month and every entry. */
    @Schema(name = "FxRateTable")
    public record Table(@Always String base, @Always java.util.List<FxRate> current, @Always java.util.List<FxRate> entries) {
    }
}
