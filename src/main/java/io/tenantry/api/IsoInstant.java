package io.tenantry.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Writes an instant as {@link Instant#toString} does (for the years 0 to 9999, by hand: the
 * general formatter cost 5 % of an organization list's CPU, two instants a row), and reads an
 * ISO-8601 instant as {@link Instant#parse} does, with the shape nearly every
 * client sends ({@code 2026-11-01T09:30:00Z}, {@code 2026-11-01T09:30:00.123456Z}) read by
 * hand: Instant.parse goes through a general formatter that cost 3 % of a usage report's
 * CPU under load. Anything else (offsets, lower case, leap seconds, years beyond four
 * digits, malformed text) is left to Instant.parse, so both accept and refuse the same
 * texts and give the same instants.
 */
final class IsoInstant {

    /** yyyy-MM-ddTHH:mm:ssZ */
    private static final int SHORTEST = 20;
    /** What a fraction of n digits is multiplied by to give nanoseconds. */
    private static final int[] NANOS_PER_UNIT = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100,
        10, 1};

    private IsoInstant() {
    }

    /** The most seconds of an instant the hand-written form covers: the end of the year 9999. */
    private static final long LAST_SECOND = LocalDate.of(10_000, 1, 1).toEpochDay() * 86_400 - 1;

    /**
     * As {@link Instant#toString}: seconds always, then a fraction of three, six or nine digits
     * when the instant has one.
     */
    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds > LAST_SECOND) {
            return instant.toString();
        }
        LocalDateTime time = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        int nanos = instant.getNano();
        char[] text = new char[SHORTEST + (nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 4 : nanos % 1_000 == 0 ? 7 : 10)];
        put(text, 0, 4, time.getYear());
        text[4] = '-';
        put(text, 5, 7, time.getMonthValue());
        text[7] = '-';
        put(text, 8, 10, time.getDayOfMonth());
        text[10] = 'T';
        put(text, 11, 13, time.getHour());
        text[13] = ':';
        put(text, 14, 16, time.getMinute());
        text[16] = ':';
        put(text, 17, 19, time.getSecond());
        if (nanos != 0) {
            text[19] = '.';
            int digits = text.length - 1 - SHORTEST;
            put(text, SHORTEST, text.length - 1, nanos / NANOS_PER_UNIT[digits]);
        }
        text[text.length - 1] = 'Z';
        return new String(text);
    }

    /** {@code value} as the decimal digits text[from, to), with leading zeros. */
    private static void put(char[] text, int from, int to, int value) {
        for (int i = to - 1; i >= from; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** As {@link Instant#parse}: throws its DateTimeParseException for text it refuses. */
    static Instant parse(String text) {
        Instant fast = common(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** The instant of a text of the common shape, or null for any other text. */
    private static Instant common(String text) {
        int length = text.length();
        if (length < SHORTEST || length > SHORTEST + 10 || length == SHORTEST + 1 || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || text.charAt(length - 1) != 'Z' || (length > SHORTEST && text.charAt(19) != '.')) {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nanos = 0;
        if (length > SHORTEST) {
            int fraction = digits(text, SHORTEST, length - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * NANOS_PER_UNIT[length - 1 - SHORTEST];
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        try {
            long days = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
        } catch (DateTimeException noSuchDay) {
            return null;
        }
    }

    /** The ASCII digits of text[from, to) as a number, or -1 where one is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
