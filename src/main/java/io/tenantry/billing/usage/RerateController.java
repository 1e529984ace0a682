package io.tenantry.billing.usage;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;
import io.swagger.v3.oas.annotations.media.Schema;

@Tag(name = ApiTags.BILLING)
@RestController
class RerateController {

    private final Rerating rerating;

    RerateController(Rerating rerating) {
        this.rerating = rerating;
    }

    record RerateRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String model,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "date-time") String from,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "date-time",
                    description = "After from.") String to) {
    }

    @Operation(operationId = "rerateUsage", summary = "Reprice usage",
            description = "Prices the usage of a model that arrived before the model had any price (unpriced usage) "
                    + "in a time range, with the price in force when it happened (the first price for usage before "
                    + "any); usage already priced is never changed. Usage of a closed month stays unpriced in its "
                    + "statement; its cost is billed in the first open month as an adjustment that names its tokens "
                    + "as repricedTokens. Answers 409 when the model has no price yet. Owners and admins only.")
    @PostMapping("/api/billing/rerate")
    Rerating.Result rerate(OrgCallContext context, @RequestBody(required = false) RerateRequest request) {
        if (request == null) {
            throw ApiException.badRequest(null, "Send {model, from, to}.");
        }
        return rerating.rerate(context, request.model(), request.from(), request.to());
    }
}
