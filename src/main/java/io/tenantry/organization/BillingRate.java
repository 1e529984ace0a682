package io.tenantry.organization;

import java.math.BigDecimal;

import io.tenantry.api.Numbers;

/**
 * A price per agent per month. Taken as given, never rounded: more than two decimal
 * places is refused rather than silently changed, so the rate stored is the rate typed.
 */
public final class BillingRate {

    private static final BigDecimal MAX = new BigDecimal("999999999999.99");

    private BillingRate() {
    }

    /** The rate as sent (a JSON number or text), checked by size before it is converted; null stays null. */
    public static BigDecimal parse(String field, Object value) {
        return Numbers.decimal(field, value, MAX, 2);
    }
}
