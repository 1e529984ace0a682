package io.tenantry.api;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Numbers from requests, refused by their size before anything converts them exactly.
 * {@code 1e4000000} is six characters of JSON but a four-million-digit integer: turning it
 * into one (or rescaling it) costs seconds of CPU, and {@code 1e999999999} exhausts memory.
 * So magnitude and precision are read off the decimal's exponent, which costs nothing, and
 * only a number that passes is ever converted.
 */
public final class Numbers {

    /** Longer than any number these limits allow, in any notation. */
    private static final int MAX_TEXT = 40;

    private Numbers() {
    }

    /**
     * A decimal from 0 to {@code max} with at most {@code decimals} decimal places, at that
     * scale; null stays null. The value may arrive as a JSON number or as text.
     */
    public static BigDecimal decimal(String field, Object value, BigDecimal max, int decimals) {
        if (value == null) {
            return null;
        }
        BigDecimal number = read(field, value);
        if (number.signum() < 0) {
            throw ApiException.badRequest(field, field + " must not be negative.");
        }
        if (magnitude(number) > magnitude(max) || number.compareTo(max) > 0) {
            throw ApiException.badRequest(field, field + " must be at most " + max.toPlainString() + ".");
        }
        if (number.scale() > decimals && number.stripTrailingZeros().scale() > decimals) {
            throw ApiException.badRequest(field, field + " may have at most " + places(decimals) + ".");
        }
        return number.setScale(decimals);
    }

    /** A whole number from {@code min} (at least 0) to {@code max}. */
    public static long wholeNumber(String field, Object value, long min, long max) {
        BigDecimal number = read(field, value);
        if (number.signum() < 0) {
            throw ApiException.badRequest(field, field + " must not be negative.");
        }
        if (magnitude(number) > magnitude(BigDecimal.valueOf(max)) || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw ApiException.badRequest(field, field + " must be at most " + max + ".");
        }
        if (number.compareTo(BigDecimal.valueOf(min)) < 0) {
            throw ApiException.badRequest(field, field + " must be at least " + min + ".");
        }
        if (number.scale() > 0 && number.stripTrailingZeros().scale() > 0) {
            throw ApiException.badRequest(field, field + " must be a whole number.");
        }
        return number.longValue();
    }

    /**
     * The characters a number is written with here. BigDecimal also reads other scripts'
     * digits ("١٢", "３０") as numbers, which a person reading the request would not.
     */
    private static final java.util.regex.Pattern ASCII_NUMBER = java.util.regex.Pattern.compile("[0-9eE.+-]+");

    /** At most nine digits, so the value always fits an int; more is out of any range here. */
    private static final java.util.regex.Pattern QUERY_WHOLE_NUMBER = java.util.regex.Pattern.compile("-?[0-9]{1,9}");

    /**
     * A whole number written in a path or query: ASCII digits with an optional minus sign and
     * nothing around them (no {@code 0x10}, no tab); IllegalArgumentException otherwise.
     */
    public static int queryWholeNumber(String text) {
        if (text == null || !QUERY_WHOLE_NUMBER.matcher(text).matches()) {
            throw new IllegalArgumentException("not a whole number");
        }
        return Integer.parseInt(text);
    }

    private static BigDecimal read(String field, Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof BigInteger integer) {
            // Its digits are its size: a JSON integer is already as long as it is written.
            return new BigDecimal(integer);
        }
        // Spaces around a number given as text are forgiven; tabs and control characters are not.
        String trimmed = value instanceof String text ? Fields.spacesTrimmed(text) : null;
        if (trimmed != null && trimmed.length() <= MAX_TEXT && ASCII_NUMBER.matcher(trimmed).matches()) {
            try {
                return new BigDecimal(trimmed);
            } catch (NumberFormatException e) {
                throw notANumber(field);
            }
        }
        throw notANumber(field);
    }

    /** How many digits stand before the decimal point (at most); zero for zero. */
    private static long magnitude(BigDecimal number) {
        return number.signum() == 0 ? 0 : (long) number.precision() - number.scale();
    }

    private static String places(int decimals) {
        return switch (decimals) {
            case 0 -> "no decimal places";
            case 1 -> "one decimal place";
            case 2 -> "two decimal places";
            case 6 -> "six decimal places";
            case 8 -> "eight decimal places";
            default -> decimals + " decimal places";
        };
    }

    private static ApiException notANumber(String field) {
        return ApiException.badRequest(field, field + " must be a number.");
    }
}
