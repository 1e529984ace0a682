package io.tenantry.billing.pricing;

import java.math.BigDecimal;

import io.tenantry.api.ApiException;

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
        if (value.signum() < 0) {
            throw ApiException.badRequest(field, field + " must not be negative.");
        }
        if (value.stripTrailingZeros().scale() > 6) {
            throw ApiException.badRequest(field, field + " may have at most six decimal places.");
        }
        if (value.compareTo(MAX) > 0) {
            throw ApiException.badRequest(field, field + " must be at most 1000000 (USD per million tokens).");
        }
        return value.setScale(6);
    }
}
