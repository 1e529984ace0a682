package io.tenantry.billing.pricing;

import java.util.Map;
import java.util.Set;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.tenantry.api.ApiException;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

/** Settings -> Exchange rates. PUT {currency, rate, effectiveFrom: "YYYY-MM"} sets one entry. */
@RestController
@RequestMapping("/api/settings/fx-rates")
class FxRateController {

    private final FxRates rates;

    FxRateController(FxRates rates) {
        this.rates = rates;
    }

    @GetMapping
    FxRate.Table table(OrgCallContext context) {
        return rates.table(context);
    }

    @PutMapping
    FxRate set(OrgCallContext context, @RequestBody(required = false) Map<String, Object> body) {
        if (body == null) {
            throw ApiException.badRequest(null, "Send {currency, rate, effectiveFrom}.");
        }
        PatchBody entry = new PatchBody(body).aliased(Map.of("effective_from", "effectiveFrom"));
        entry.allowOnly(Set.of("currency", "rate", "effectiveFrom"), Map.of());
        return rates.set(context, entry.text("currency"), entry.number("rate"), entry.text("effectiveFrom"));
    }
}
