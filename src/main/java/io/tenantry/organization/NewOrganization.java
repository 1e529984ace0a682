package io.tenantry.organization;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonAlias;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/** The body of POST /api/organizations; the guide's snake_case names are accepted too. */
@Schema(description = "A new client organization. The snake_case names (contact_name, billing_rate_per_agent, "
        + "monthly_budget, budget_alert_thresholds, contact_email) are accepted too.",
        example = "{\"name\": \"Acme Corp\", \"contactEmail\": \"ops@acme.example\", "
                + "\"billingRatePerAgent\": \"499.00\", \"currency\": \"EUR\", \"monthlyBudget\": \"2000.00\"}")
public record NewOrganization(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 200) String name,
        @Schema(maxLength = 63, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
                description = "Permanent; made from the name when not given.") String slug,
        @Schema(maxLength = 200) @JsonAlias("contact_name") String contactName,
        @Schema(format = "email", maxLength = 320) @JsonAlias("contact_email") String contactEmail,
        @Schema(maxLength = 2000) String description,
        @Schema(types = {"number", "string"}, minimum = "0", maximum = "999999999999.99",
                description = "Revenue per agent per month, in the org's currency, at most two decimals "
                        + "(a JSON number or a string such as \"499.00\").")
        @JsonAlias("billing_rate_per_agent") BigDecimal billingRatePerAgent,
        @Schema(allowableValues = {"USD", "EUR", "GBP", "NGN", "CAD", "AUD"}, defaultValue = "USD") String currency,
        @Schema(allowableValues = {"month_end", "daily"}, defaultValue = "month_end",
                description = "month_end: an agent is billed to the org holding it at the end of the month; "
                        + "daily: to each org for the days it held it.") String proration,
        @Schema(types = {"number", "string"}, minimum = "0.01", maximum = "999999999999.99",
                description = "The monthly budget in the org's currency; null for none.")
        @JsonAlias("monthly_budget") BigDecimal monthlyBudget,
        @ArraySchema(arraySchema = @Schema(types = "array", description = "Whole percentages of the budget at "
                + "which an alert is raised; by default 50, 80 and 100.", example = "[50, 80, 100]"),
                schema = @Schema(types = "integer", minimum = "1", maximum = "1000"), minItems = 1, maxItems = 10)
        @JsonAlias("budget_alert_thresholds") Object budgetAlertThresholds,
        @Schema(defaultValue = "UTC", example = "Europe/Paris", description = "An IANA time zone, for off_hours "
                + "guardrail rules.") @JsonAlias("time_zone") String timeZone) {
}
