package io.tenantry.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.tenantry.api.ApiException;
import io.tenantry.api.PlausibleTime;

/**
 * Billing months are calendar months in UTC, written YYYY-MM, from 2000-01 to 2199-12.
 * Every month that arrives in a request is read here.
 */
public final class BillingMonth {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM");

    private BillingMonth() {
    }

    public static YearMonth parse(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, field + " is required, as YYYY-MM.");
        }
        if (!value.matches("\\d{4}-\\d{2}")) {
            throw ApiException.badRequest(field, field + " must be a month written YYYY-MM, for example 2026-11.");
        }
        try {
            return PlausibleTime.require(field, YearMonth.parse(value, FORMAT));
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, field + " must be a month written YYYY-MM, for example 2026-11.");
        }
    }

    public static YearMonth of(Instant at) {
        return YearMonth.from(at.atZone(ZoneOffset.UTC));
    }

    public static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The first instant after the month. */
    public static Instant end(YearMonth month) {
        return start(month.plusMonths(1));
    }

    public static java.sql.Date date(YearMonth month) {
        return java.sql.Date.valueOf(month.atDay(1));
    }

    public static YearMonth fromDate(java.time.LocalDate date) {
        return YearMonth.from(date);
    }
}
