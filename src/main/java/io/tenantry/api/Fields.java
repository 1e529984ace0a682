package io.tenantry.api;

import java.util.regex.Pattern;

/** Checks on text fields of requests, with messages that name the field. */
public final class Fields {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\t\\n\\r]]");

    private Fields() {
    }

    /** A trimmed, non-blank single-line value of at most {@code max} characters. */
    public static String required(String field, String value, int max) {
        String trimmed = optional(field, value, max);
        if (trimmed == null) {
            throw ApiException.badRequest(field, field + " is required.");
        }
        return trimmed;
    }

    /** Like {@link #required} but absent or blank gives null. */
    public static String optional(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > max) {
            throw ApiException.badRequest(field, field + " must be at most " + max + " characters.");
        }
        if (CONTROL.matcher(trimmed).find() || (max <= 320 && trimmed.contains("\n"))) {
            throw ApiException.badRequest(field, field + " must not contain control characters or line breaks.");
        }
        return trimmed;
    }

    /** An optional ISO-8601 instant (absent or blank gives null), named by {@code field} when malformed. */
    public static java.time.Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return java.time.Instant.parse(value.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest(field, field + " must be an ISO-8601 instant such as 2026-11-01T00:00:00Z.");
        }
    }

    /** An optional e-mail address, lower-cased. */
    public static String email(String field, String value) {
        String trimmed = optional(field, value, 320);
        if (trimmed != null && !EMAIL.matcher(trimmed).matches()) {
            throw ApiException.badRequest(field, field + " is not a valid e-mail address.");
        }
        return trimmed == null ? null : trimmed.toLowerCase(java.util.Locale.ROOT);
    }
}
