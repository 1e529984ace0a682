package io.tenantry.billing.usage;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;

@Tag(name = ApiTags.BILLING)
@RestController
class RerateController {

    private final Rerating rerating;

    RerateController(Rerating rerating) {
        this.rerating = rerating;
    }

    record RerateRequest(String model, String from, String to) {
    }

    @Operation(operationId = "rerateUsage", summary = "Reprice usage",
            description = "Prices again the usage of a model in a time range of open months with the prices in force then (after a price was added or corrected). Owners and admins only.")
    @PostMapping("/api/billing/rerate")
    Rerating.Result rerate(OrgCallContext context, @RequestBody(required = false) RerateRequest request) {
        if (request == null) {
            throw ApiException.badRequest(null, "Send {model, from, to}.");
        }
        return rerating.rerate(context, request.model(), request.from(), request.to());
    }
}
