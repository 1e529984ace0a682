package io.tenantry.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Checks on text fields of requests, with messages that name the field. */
public final class Fields {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
    /** Control characters (C0, DEL and C1, such as U+0085) but tab and line breaks. */
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\t\\n\\r]]");
    /** Line breaks of every kind, and tabs, for single-line values. */
    private static final Pattern LINE_BREAK = Pattern.compile("[\\t\\n\\r\\u0085\\u2028\\u2029]");
    /**
     * Invisible characters that make text show other than it reads: direction overrides and
     * isolates (U+202A-E, U+2066-9), zero-width space, word joiner and invisible operators
     * (U+200B, U+2060-4), the byte-order mark and tag characters. Joiners (U+200C/D) and
     * direction marks (U+200E/F) stay: some scripts and emoji need them.
     */
    private static final Pattern INVISIBLE = Pattern.compile(
            "[\\u202A-\\u202E\\u2066-\\u2069\\u200B\\u2060-\\u2064\\uFEFF\\x{E0000}-\\x{E007F}]");

    /**
     * Times no clock shows, which Instant.parse reads as other times: 24:00 as the next day's
     * start, a leap second as the second before it (outside tester: both were taken as given).
     */
    private static final Pattern NOT_ON_A_CLOCK = Pattern.compile("[Tt](24:|[0-9]{2}:[0-9]{2}:60)");

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

    /** {@code text} cut to {@code max} characters and an ellipsis: a client's input echoed in an answer need not be long. */
    public static String shown(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /** A name the client sent (a parameter's, a form field's), as a refusal echoes it. */
    public static String shownName(String name) {
        return shown(name, 64);
    }

    /**
     * {@code text} without the spaces (U+0020 only) around it: where a value is a number or an
     * id, a space is a harmless slip, while a tab or a control character is not forgiven.
     */
    public static String spacesTrimmed(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) == ' ') {
            start++;
        }
        while (end > start && text.charAt(end - 1) == ' ') {
            end--;
        }
        return text.substring(start, end);
    }

    /**
     * Like {@link #required} but absent or blank gives null. Up to 320 characters a value is a
     * line (a name); longer, a text that may hold tabs and line breaks (a description).
     */
    public static String optional(String field, String value, int max) {
        return optional(field, value, max, max <= 320);
    }

    /** Like {@link #optional}, a single line however long it may be (a link, a citation). */
    public static String optionalLine(String field, String value, int max) {
        return optional(field, value, max, true);
    }

    private static String optional(String field, String value, int max, boolean singleLine) {
        if (value == null || blank(value)) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > max) {
            throw ApiException.badRequest(field, field + " must be at most " + max + " characters.");
        }
        if (CONTROL.matcher(trimmed).find() || (singleLine && LINE_BREAK.matcher(trimmed).find())) {
            throw ApiException.badRequest(field, field + (singleLine
                    ? " must not contain control characters, tabs or line breaks."
                    : " must not contain control characters other than tabs and line breaks."));
        }
        if (INVISIBLE.matcher(trimmed).find() || singleLine && trimmed.codePoints().anyMatch(Fields::invisibleInALine)) {
            throw ApiException.badRequest(field, field + " must not contain invisible formatting characters "
                    + "(direction overrides, zero-width spaces, byte-order marks, and in a name soft hyphens and fillers).");
        }
        return wholeCharacters(field, trimmed);
    }

    /**
     * {@code text}, refused when it holds a lone surrogate (half of a character in UTF-16), which
     * no valid UTF-8 carries and a strict JSON reader refuses in an answer.
     */
    public static String wholeCharacters(String field, String text) {
        if (holdsLoneSurrogate(text)) {
            throw ApiException.badRequest(field, field + " is not valid Unicode (it has a lone surrogate).");
        }
        return text;
    }

    /**
     * Whether a character shows as nothing in a single line, so that two names can look alike
     * (outside tester: a direction mark the rule missed, the Khmer inherent vowel, the Braille
     * blank): every format character but the joiners and direction marks scripts need, the
     * blank letters, the combining grapheme joiner and the Khmer inherent vowels. Variation
     * selectors stay (emoji need them). A long text keeps them all (a soft hyphen is how word
     * processors mark where a word may break).
     */
    private static boolean invisibleInALine(int cp) {
        boolean shapeless = Character.getType(cp) == Character.FORMAT || Invisible.defaultIgnorable(cp)
                && !Invisible.variationSelector(cp);
        return shapeless && !Invisible.neededInNames(cp) || Invisible.blankLetter(cp);
    }

    /**
     * Whether a character has no place in an e-mail address: one that shows as nothing
     * (format characters, default-ignorable code points, variation selectors, blank letters),
     * spaces of any kind, and what no mail system can be relied on to carry (unassigned and
     * private-use code points, noncharacters, the replacement character).
     */
    private static boolean outOfPlaceInAnAddress(int cp) {
        int type = Character.getType(cp);
        return type == Character.FORMAT || Invisible.defaultIgnorable(cp) || Invisible.blankLetter(cp)
                || Character.isSpaceChar(cp) || Character.isWhitespace(cp)
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || cp == 0xFFFD
                || cp >= 0xFDD0 && cp <= 0xFDEF || (cp & 0xFFFE) == 0xFFFE;
    }

    /** Whether {@code text} holds half of a character in UTF-16 without its other half. */
    public static boolean holdsLoneSurrogate(String text) {
        return text.codePoints().anyMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
    }

    /** Only white space, counting the spaces String.isBlank does not (no-break spaces and the like). */
    private static boolean blank(String value) {
        return value.codePoints().allMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp));
    }

    /**
     * An optional ISO-8601 instant (absent or blank gives null) within {@link PlausibleTime},
     * named by {@code field} when malformed or out of range.
     */
    public static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > 64 || NOT_ON_A_CLOCK.matcher(value).find()) {
            throw notAnInstant(field);
        }
        try {
            return PlausibleTime.require(field, IsoInstant.parse(value.strip()));
        } catch (DateTimeParseException e) {
            throw notAnInstant(field);
        }
    }

    /**
     * Like {@link #instant}, for a body's field: absent (null) gives null, but text given blank
     * is refused, since no time is written as nothing (an empty {@code effectiveFrom} read as
     * absent put a price in force at once).
     */
    public static Instant givenInstant(String field, String value) {
        if (value != null && value.isBlank()) {
            throw notAnInstant(field);
        }
        return instant(field, value);
    }

    /** Refuses a range of time whose end ({@code to}, exclusive) is not after its start; either may be open (null). */
    public static void requireOrdered(Instant from, Instant to) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiException.badRequest("to", "to must be after from.");
        }
    }

    /**
     * An optional expiry: an ISO-8601 instant after {@code now} (to the microsecond, as
     * stored), or null for never; blank is refused, and one not after {@code now} is refused
     * with {@code inThePast} as the detail.
     */
    public static Instant expiry(String field, String value, Instant now, String inThePast) {
        if (value != null && value.isBlank()) {
            throw ApiException.badRequest(field, field + " must be an ISO-8601 instant, or null for never.");
        }
        Instant given = instant(field, value);
        Instant at = given == null ? null : given.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        if (at != null && !at.isAfter(now)) {
            throw ApiException.badRequest(field, inThePast);
        }
        return at;
    }

    /** A JSON boolean, not text or a number that looks like one. */
    public static boolean flag(String field, Object value) {
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw ApiException.badRequest(field, field + " must be true or false.");
    }

    private static ApiException notAnInstant(String field) {
        return ApiException.badRequest(field, field + " must be an ISO-8601 instant such as 2026-11-01T00:00:00Z.");
    }

    /** An optional e-mail address, in the one form addresses are kept and compared in ({@link EmailAddress}). */
    public static String email(String field, String value) {
        String trimmed = optional(field, value, 320);
        if (trimmed == null) {
            return null;
        }
        // No address needs a character that shows as nothing (joiners, direction marks, variation
        // selectors, blank letters), and with one an address can look like another's.
        if (trimmed.codePoints().anyMatch(Fields::outOfPlaceInAnAddress)) {
            throw ApiException.badRequest(field, field + " must not contain invisible characters, spaces, or "
                    + "characters mail cannot carry (unassigned, private-use, the replacement character).");
        }
        // "ua"@x and ua@x name one mailbox; no account here needs the quoted form.
        if (trimmed.indexOf('"') >= 0) {
            throw ApiException.badRequest(field, field + " must not be quoted: give the address without quotes.");
        }
        // "a@b.example." names the same mailbox as "a@b.example": one spelling is kept, not two.
        if (trimmed.indexOf('@') > 0 && EmailAddress.endsWithRootDot(trimmed)) {
            throw ApiException.badRequest(field, field + " ends with a dot: give the address without it.");
        }
        String canonical = EmailAddress.canonical(trimmed);
        if (!EMAIL.matcher(canonical).matches()) {
            throw ApiException.badRequest(field, field + " is not a valid e-mail address.");
        }
        if (!EmailAddress.wellFormedDomain(trimmed)) {
            throw ApiException.badRequest(field, field + " is not a valid e-mail address: its domain has an empty, "
                    + "overlong or malformed part.");
        }
        return canonical;
    }
}
