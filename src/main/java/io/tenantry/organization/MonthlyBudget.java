package io.tenantry.organization;

import java.math.BigDecimal;

import io.tenantry.api.ApiException;

/** A monthly budget (an org's or an agent's), in the organization's currency: more than 0, or null for none. */
public final class MonthlyBudget {

    private MonthlyBudget() {
    }

    /** The budget as sent (a JSON number or text), checked by size before it is converted; null stays null. */
    public static BigDecimal parse(String field, Object value) {
        BigDecimal budget = BillingRate.parse(field, value);
        if (budget != null && budget.signum() == 0) {
            throw ApiException.badRequest(field, field + " must be more than 0; use null for none.");
        }
        return budget;
    }
}
