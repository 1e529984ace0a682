package io.tenantry.organization;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonAlias;

/** The body of POST /api/organizations; the guide's snake_case names are accepted too. */
public record NewOrganization(String name, String slug,
        @JsonAlias("contact_name") String contactName,
        @JsonAlias("contact_email") String contactEmail,
        String description,
        @JsonAlias("billing_rate_per_agent") BigDecimal billingRatePerAgent,
        String currency,
        String proration,
        @JsonAlias("monthly_budget") BigDecimal monthlyBudget,
        @JsonAlias("budget_alert_thresholds") Object budgetAlertThresholds) {
}
