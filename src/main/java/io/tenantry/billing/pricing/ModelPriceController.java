package io.tenantry.billing.pricing;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgCallContext;

/** Settings -> Models: the price list, its history, and new price versions. */
@RestController
@RequestMapping("/api/settings/models")
class ModelPriceController {

    private final ModelPrices prices;

    ModelPriceController(ModelPrices prices) {
        this.prices = prices;
    }

    @GetMapping
    CursorPage<ModelPrice.Current> list(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return prices.list(context, PageRequest.of(limit, cursor));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ModelPrice add(OrgCallContext context, @RequestBody(required = false) NewModelPrice request) {
        return prices.add(context, request);
    }

    @GetMapping("/{model}/history")
    CursorPage<ModelPrice> history(OrgCallContext context, @PathVariable String model,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return prices.history(context, model, PageRequest.of(limit, cursor));
    }
}
