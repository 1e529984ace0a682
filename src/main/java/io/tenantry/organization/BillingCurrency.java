package io.tenantry.organization;

import java.util.Arrays;
import java.util.stream.Collectors;

import io.tenantry.api.ApiException;

/** The currencies an organization can be billed in. */
public enum BillingCurrency {
    USD, EUR, GBP, NGN, CAD, AUD;

    /** The currency {@code value} names, USD when it is absent (null); blank names none and is refused. */
    public static BillingCurrency parse(String value) {
        if (value == null) {
            return USD;
        }
        // Its ISO 4217 code as written there, as every other value of a fixed list is read.
        for (BillingCurrency currency : values()) {
            if (currency.name().equals(value)) {
                return currency;
            }
        }
        throw ApiException.badRequest("currency", "currency must be one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + " (in capitals).");
    }
}
