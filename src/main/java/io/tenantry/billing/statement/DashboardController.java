package io.tenantry.billing.statement;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;

/** The home page's one call: the business at a glance; needs the dashboard page, and its figures the billing page. */
@Tag(name = ApiTags.BILLING)
@RestController
class DashboardController {

    private final AtAGlance glance;

    DashboardController(AtAGlance glance) {
        this.glance = glance;
    }

    @Operation(operationId = "getDashboardSummary", summary = "The business at a glance",
            description = "This month's revenue, token cost and margin per currency against last month's, the last "
                    + AtAGlance.MONTHS + " months, clients over or near budget, the top clients by cost and by "
                    + "margin, models with unpriced usage, missing exchange rates and recent budget alerts. Client "
                    + "organizations the caller may reach; the operator's own organization is given apart. A user whose "
                    + "pages do not include billing gets the months alone (figures false).")
    @GetMapping("/api/dashboard")
    Glance summary(OrgCallContext context) {
        return glance.of(context);
    }
}
