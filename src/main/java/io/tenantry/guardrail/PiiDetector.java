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
    CARD("card", "[0-9]"),
    IBAN("iban", "\\b[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,30}\\b"),
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

    /** What the detector finds in the text (as folded, keeping case), as spans of the original. */
    List<Finding> find(FoldedText text) {
        if (this == CARD) {
            return cards(text);
        }
        if (this == IBAN) {
            return ibans(text);
        }
        List<Finding> found = new ArrayList<>();
        Matcher m = pattern.matcher(text.folded);
        while (m.find()) {
            String match = text.folded.substring(m.start(), m.end());
            if (valid(match)) {
                found.add(new Finding(text.originalStart(m.start()), text.originalEnd(m.end()), id, evidence(match)));
            }
        }
        return found;
    }

    /**
     * An IBAN candidate may run on into the next word ("...0130 00 now"): the longest prefix
     * that passes the mod-97 check is the IBAN.
     */
    private List<Finding> ibans(FoldedText text) {
        List<Finding> found = new ArrayList<>();
        Matcher m = pattern.matcher(text.folded);
        while (m.find()) {
            List<Integer> ends = new ArrayList<>();
            StringBuilder compact = new StringBuilder();
            for (int i = m.start(); i < m.end(); i++) {
                char c = text.folded.charAt(i);
                if (c != ' ') {
                    compact.append(Character.toUpperCase(c));
                    ends.add(i + 1);
                }
            }
            for (int length = Math.min(compact.length(), 34); length >= 15; length--) {
                if (ibanChecksum(compact.substring(0, length))) {
                    int end = ends.get(length - 1);
                    found.add(new Finding(text.originalStart(m.start()), text.originalEnd(end), id,
                            evidence(text.folded.substring(m.start(), end))));
                    break;
                }
            }
        }
        return found;
    }

    /** Runs of digit groups; a card is any stretch of whole groups in one that is 13 to 19 digits and passes Luhn. */
    private static final Pattern DIGIT_RUN = Pattern.compile("[0-9]+(?:[ .-][0-9]+)*");
    private static final Pattern DIGIT_GROUP = Pattern.compile("[0-9]+");

    /**
     * Cards are looked for group by group, so that a number written next to others (a date,
     * a CVV, an order number) is still found: in each run of digit groups, the longest stretch
     * of whole groups that makes a valid card, from each group on.
     */
    private List<Finding> cards(FoldedText text) {
        List<Finding> found = new ArrayList<>();
        Matcher run = DIGIT_RUN.matcher(text.folded);
        while (run.find()) {
            List<int[]> groups = new ArrayList<>();
            Matcher group = DIGIT_GROUP.matcher(text.folded.substring(run.start(), run.end()));
            while (group.find()) {
                groups.add(new int[] {run.start() + group.start(), run.start() + group.end()});
            }
            int from = 0;
            while (from < groups.size()) {
                int taken = 0;
                StringBuilder digits = new StringBuilder();
                for (int to = from; to < groups.size() && digits.length() <= 19; to++) {
                    digits.append(text.folded, groups.get(to)[0], groups.get(to)[1]);
                    if (between(digits.length(), 13, 19) && luhn(digits.toString())) {
                        taken = to - from + 1;
                    }
                }
                if (taken == 0) {
                    from++;
                    continue;
                }
                int start = groups.get(from)[0];
                int end = groups.get(from + taken - 1)[1];
                found.add(new Finding(text.originalStart(start), text.originalEnd(end), id,
                        evidence(text.folded.substring(start, end))));
                from += taken;
            }
        }
        return found;
    }

    private boolean valid(String match) {
        return switch (this) {
            case PHONE -> between(digits(match).length(), 8, 15);
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
