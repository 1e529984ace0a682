package io.tenantry.billing.pricing;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

/** The USD -> currency rate in force for a month: the latest entry from that month or before. */
public record FxLookup(List<FxRate> entries) {

    /** No rates at all: enough for amounts in USD, which need none. */
    public static final FxLookup USD_ONLY = new FxLookup(List.of());

    public Optional<BigDecimal> rate(String currency, YearMonth month) {
        if (ModelPrice.CURRENCY.equals(currency)) {
            return Optional.of(BigDecimal.ONE);
        }
        FxRate found = null;
        for (FxRate entry : entries) {
            if (entry.currency().equals(currency) && !entry.effectiveFrom().isAfter(month)
                    && (found == null || entry.effectiveFrom().isAfter(found.effectiveFrom()))) {
                found = entry;
            }
        }
        return Optional.ofNullable(found).map(FxRate::rate);
    }
}
