package io.tenantry.billing.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;

/** How many units of {@code currency} one US dollar buys, from {@code effectiveFrom} on. */
public record FxRate(String currency, YearMonth effectiveFrom, BigDecimal rate, Instant updatedAt,
        String updatedBy) {

    /** Settings -> Exchange rates: each currency's rate for the current month and every entry. */
    public record Table(String base, java.util.List<FxRate> current, java.util.List<FxRate> entries) {
    }
}
