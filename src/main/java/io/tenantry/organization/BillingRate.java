package io.tenantry.organization;

import java.math.BigDecimal;

import io.tenantry.api.ApiException;

/**
 * A price per agent per month. Taken as given, never rounded: more than two decimal
 * places is refused rather than silently changed, so the rate stored is the rate typed.
 */
public final class BillingRate {

    private static final BigDecimal MAX = new BigDecimal("999999999999.99");

    private BillingRate() {
    }

    public static BigDecimal parse(String field, BigDecimal value) {
        if (value == null) {
            return null;
        }
        if (value.signum() < 0) {
            throw ApiException.badRequest(field, field + " must not be negative.");
        }
        if (value.stripTrailingZeros().scale() > 2) {
            throw ApiException.badRequest(field, field + " may have at most two decimal places.");
        }
        if (value.compareTo(MAX) > 0) {
            throw ApiException.badRequest(field, field + " must be at most " + MAX.toPlainString() + ".");
        }
        return value.setScale(2);
    }
}
