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

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgCallContext;

/** Settings -> Models: the price list, its history, and new price versions. */
@Tag(name = ApiTags.SETTINGS)
@RestController
@RequestMapping("/api/settings/models")
class ModelPriceController {

    private final ModelPrices prices;

    ModelPriceController(ModelPrices prices) {
        this.prices = prices;
    }

    @Operation(operationId = "listModelPrices", summary = "List model prices",
            description = "Each model's price in force now, in USD per million tokens.")
    @GetMapping
    CursorPage<ModelPrice.Current> list(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return prices.list(context, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "addModelPrice", summary = "Add a model price",
            description = "Adds a price for a model from a moment on; earlier prices stay for earlier usage. Owners "
                    + "and admins only.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ModelPrice add(OrgCallContext context, @RequestBody(required = false) NewModelPrice request) {
        return prices.add(context, request);
    }

    @Operation(operationId = "getModelPriceHistory", summary = "A model's price history",
            description = "Every price a model has had, newest first.")
    @GetMapping("/{model}/history")
    CursorPage<ModelPrice> history(OrgCallContext context, @PathVariable String model,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return prices.history(context, model, PageRequest.of(limit, cursor));
    }
}
