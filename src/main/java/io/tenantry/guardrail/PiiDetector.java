package io.tenantry.guardrail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * The personal and secret data a {@code pii} rule can look for. Each finds candidates with
 * a linear-time pattern and keeps those that pass its own check (a card number's Luhn
 * digit, an IBAN's mod-97 checksum, an address's ranges); evidence shows four characters
 * at most.
 */
enum PiiDetector {

    EMAIL("email", "[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,24}"),
    PHONE("phone", "\\+[1-9][0-9]{7,14}\\b|\\+[1-9][0-9]{0,2}[ -]\\(?[0-9]{1,4}\\)?(?:[ -][0-9]{2,4}){2,4}\\b"
            + "|\\([0-9]{2,4}\\) ?[0-9]{3,4}[ -]?[0-9]{3,4}\\b|\\b[0-9]{3}[ -][0-9]{3}[ -][0-9]{4}\\b"),
    CARD("card", "\\b[0-9](?:[ -]?[0-9]){12,18}\\b"),
    IBAN("iban", "\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\\b"),
    US_SSN("us_ssn", "\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b"),
    IPV4("ipv4", "\\b(?:[0-9]{1,3}\\.){3}[0-9]{1,3}\\b"),
    IPV6("ipv6", "(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}"),
    SECRET("secret", "sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}"
            + "|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|[sr]k_live_[0-9A-Za-z]{20,}"
            + "|tnt_[A-Za-z0-9_-]{20,}"
            + "|-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
            + "|eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}");

    /** The name clients use (in {@code detectors} and as the redaction tag). */
    final String id;
    private final Pattern pattern;

    PiiDetector(String id, String pattern) {
        this.id = id;
        this.pattern = Pattern.compile(pattern);
    }

    static PiiDetector byId(String id) {
        for (PiiDetector detector : values()) {
            if (detector.id.equals(id)) {
                return detector;
            }
        }
        return null;
    }

    List<Finding> find(String text) {
        List<Finding> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            String match = text.substring(m.start(), m.end());
            if (valid(match)) {
                found.add(new Finding(m.start(), m.end(), id, evidence(match)));
            }
        }
        return found;
    }

    private boolean valid(String match) {
        return switch (this) {
            case PHONE -> between(digits(match).length(), 8, 15);
            case CARD -> between(digits(match).length(), 13, 19) && luhn(digits(match));
            case IBAN -> ibanChecksum(match.replace(" ", ""));
            case US_SSN -> ssn(match);
            case IPV4 -> ipv4(match);
            case IPV6 -> ipv6(match);
            default -> true;
        };
    }

    private String evidence(String match) {
        if (this == SECRET) {
            return "a secret of " + match.length() + " characters";
        }
        String plain = this == EMAIL ? match : match.replaceAll("[^0-9A-Za-z]", "");
        String last = plain.length() <= 4 ? "" : plain.substring(plain.length() - 4);
        return this == EMAIL ? "an address at " + match.substring(match.indexOf('@') + 1)
                : id + " ending " + (last.isEmpty() ? "(short)" : last);
    }

    private static boolean between(int n, int min, int max) {
        return n >= min && n <= max;
    }

    private static String digits(String text) {
        return text.replaceAll("[^0-9]", "");
    }

    static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    static boolean ibanChecksum(String iban) {
        if (iban.length() < 15 || iban.length() > 34) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        StringBuilder numeric = new StringBuilder();
        for (char c : rearranged.toCharArray()) {
            numeric.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return new BigInteger(numeric.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }

    private static boolean ssn(String match) {
        String area = match.substring(0, 3);
        return !area.equals("000") && !area.equals("666") && area.charAt(0) != '9'
                && !match.substring(4, 6).equals("00") && !match.substring(7).equals("0000");
    }

    private static boolean ipv4(String match) {
        for (String part : match.split("\\.")) {
            if (part.length() > 1 && part.charAt(0) == '0' || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Eight groups, or fewer around one "::"; each group one to four hex digits. */
    private static boolean ipv6(String match) {
        int gap = match.indexOf("::");
        if (gap != match.lastIndexOf("::") || match.contains(":::")) {
            return false;
        }
        String[] groups = (gap < 0 ? match : match.replace("::", ":x:")).split(":", -1);
        int count = 0;
        for (String group : groups) {
            if (group.equals("x") || (group.isEmpty() && gap >= 0)) {
                continue;
            }
            if (group.isEmpty() || group.length() > 4) {
                return false;
            }
            count++;
        }
        return gap < 0 ? count == 8 : count <= 7 && count >= 1;
    }
}
