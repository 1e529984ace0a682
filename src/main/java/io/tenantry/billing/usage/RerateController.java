package io.tenantry.billing.usage;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.tenantry.api.ApiException;
import io.tenantry.tenancy.OrgCallContext;

@RestController
class RerateController {

    private final Rerating rerating;

    RerateController(Rerating rerating) {
        this.rerating = rerating;
    }

    record RerateRequest(String model, String from, String to) {
    }

    @PostMapping("/api/billing/rerate")
    Rerating.Result rerate(OrgCallContext context, @RequestBody(required = false) RerateRequest request) {
        if (request == null) {
            throw ApiException.badRequest(null, "Send {model, from, to}.");
        }
        return rerating.rerate(context, request.model(), request.from(), request.to());
    }
}
