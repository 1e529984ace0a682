package io.tenantry.billing.pricing;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

/** Settings -> Exchange rates. PUT {currency, rate, effectiveFrom: "YYYY-MM"} sets one entry. */
@Tag(name = ApiTags.SETTINGS)
@RestController
@RequestMapping("/api/settings/fx-rates")
class FxRateController {

    private final FxRates rates;

    FxRateController(FxRates rates) {
        this.rates = rates;
    }

    /** The body of PUT, for the API document: read field by field (PatchBody) so unknown fields are refused. */
    @Schema(name = "FxRateEntry", description = "effective_from is accepted too.")
    record Entry(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"EUR", "GBP", "NGN", "CAD",
            "AUD"}) String currency,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, types = {"number", "string"},
                    minimum = "0.00000001", maximum = "1000000",
                    description = "Units of the currency per US dollar, at most 1,000,000 and 8 decimals.")
            BigDecimal rate,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = "^\\d{4}-\\d{2}$", example = "2026-11",
                    description = "The first month the rate applies to, YYYY-MM.") String effectiveFrom) {
    }

    @Operation(operationId = "getFxRates", summary = "List exchange rates",
            description = "The monthly USD exchange rates used to convert token cost into each organization's billing "
                    + "currency.")
    @GetMapping
    FxRate.Table table(OrgCallContext context) {
        return rates.table(context);
    }

    @Operation(operationId = "setFxRate", summary = "Set an exchange rate",
            description = "Sets how many units of a currency one USD buys, from a month on; setting it again for that "
                    + "month replaces it. A month already closed (and so every month before it) is refused with 409: its "
                    + "statements keep the rates they were closed with. Owners and admins only.")
    @PutMapping
    FxRate set(OrgCallContext context,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Entry.class)))
            @RequestBody(required = false) Map<String, Object> body) {
        if (body == null) {
            throw ApiException.badRequest(null, "Send {currency, rate, effectiveFrom}.");
        }
        PatchBody entry = new PatchBody(body).aliased(Map.of("effective_from", "effectiveFrom"));
        entry.allowOnly(Set.of("currency", "rate", "effectiveFrom"), Map.of());
        return rates.set(context, entry.text("currency"), entry.number("rate"), entry.text("effectiveFrom"));
    }
}
