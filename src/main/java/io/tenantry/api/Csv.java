package io.tenantry.api;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CSV as RFC 4180 writes it, safe to open in a spreadsheet: text that a spreadsheet would
 * run as a formula (starting with = + - @ or a control character, once leading blanks and
 * invisible formatting characters are passed over) is prefixed with an apostrophe; plain
 * numbers stay numbers.
 */
public final class Csv {

    private Csv() {
    }

    /** Appends one row, ended by CRLF; null fields are empty. */
    public static void row(StringBuilder csv, Stream<String> fields) {
        csv.append(fields.map(Csv::field).collect(Collectors.joining(","))).append("\r\n");
    }

    public static String field(String value) {
        if (value == null) {
            return "";
        }
        String text = value;
        int first = 0;
        while (first < text.length() && (text.charAt(first) == ' '
                || Character.getType(text.charAt(first)) == Character.FORMAT)) {
            first++;
        }
        if (first < text.length() && ("=+-@".indexOf(text.charAt(first)) >= 0 || text.charAt(first) < ' ')
                && !text.matches("-?\\d+(\\.\\d+)?")) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }
}
