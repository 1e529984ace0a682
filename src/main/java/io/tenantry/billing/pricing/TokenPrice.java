package io.tenantry.billing.pricing;

import java.math.BigDecimal;

import io.tenantry.api.ApiException;
import io.tenantry.api.Numbers;

/**
 * A price per million tokens in USD, taken exactly as given: at most six decimal places
 * (a millionth of a dollar per million tokens), never negative, never rounded.
 */
final class TokenPrice {

    private static final BigDecimal MAX = new BigDecimal("1000000");

    private TokenPrice() {
    }

    static BigDecimal parse(String field, BigDecimal value, boolean required) {
        if (value == null) {
            if (required) {
                throw ApiException.badRequest(field, field + " is required (USD per million tokens).");
            }
            return null;
        }
        return Numbers.decimal(field, value, MAX, 6);
    }
}
