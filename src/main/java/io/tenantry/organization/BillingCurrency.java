package io.tenantry.organization;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import io.tenantry.api.ApiException;

/** The currencies an organization can be billed in. */
public enum BillingCurrency {
    USD, EUR, GBP, NGN, CAD, AUD;

    public static BillingCurrency parse(String value) {
        if (value == null || value.isBlank()) {
            return USD;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("currency", "currency must be one of "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ".");
        }
    }
}
