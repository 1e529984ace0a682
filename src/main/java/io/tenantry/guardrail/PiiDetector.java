package io.tenantry.guardrail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * The personal and secret data a {@code pii} rule can look for. Each finds candidates and
 * keeps those that pass its own check (a card number's Luhn digit, an IBAN's mod-97
 * checksum, an address's ranges); evidence shows four characters at most.
 *
 * The shapes are found in linear time whatever the text: by a plain scan (addresses, around
 * each @), by JDK patterns whose every repetition is bounded or possessive (so a match
 * attempt does a bounded amount of work from each position; they run several times faster
 * than RE2/J here), and by RE2/J for the secrets, whose shapes have open-ended repetitions.
 */
enum PiiDetector {

    EMAIL("email", Search.AROUND_AT_SIGNS, null),
    // Each shape of a number asks of a stretch what its every match holds (a phone number's
    // shortest form has six digits, a card's valid numbers thirteen).
    PHONE("phone", Search.numbers(n -> n.digits() >= 6), "\\+[1-9][0-9]{7,14}\\b"
            + "|\\+[1-9][0-9]{0,2}[ -]\\(?[0-9]{1,4}\\)?(?:[ -][0-9]{2,4}){2,4}\\b"
            + "|\\([0-9]{2,4}\\) ?[0-9]{3,4}[ -]?[0-9]{3,4}\\b|\\b[0-9]{3}[ -][0-9]{3}[ -][0-9]{4}\\b"),
    CARD("card", Search.numbers(n -> n.digits() >= 13), "[0-9]++(?:[ .-][0-9]++)*+"),
    IBAN("iban", Search.FROM_LETTERS_BEFORE_DIGITS, "\\b[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,30}\\b"),
    US_SSN("us_ssn", Search.numbers(n -> n.digits() >= 9 && n.dashes() >= 2), "\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b"),
    IPV4("ipv4", Search.numbers(n -> n.digits() >= 4 && n.dots() >= 3), "\\b(?:[0-9]{1,3}\\.){3}[0-9]{1,3}\\b"),
    IPV6("ipv6", Search.EVERYWHERE, "(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}"),
    SECRET("secret", Search.RE2, "sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}"
            + "|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|[sr]k_live_[0-9A-Za-z]{20,}"
            + "|tnt_[A-Za-z0-9_-]{20,}"
            + "|-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
            + "|eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}");

    /** Where a shape stands in a text: [start, end) pairs, left to right, not overlapping. */
    private interface Spans extends java.util.function.Function<FoldedText, List<int[]>> {
    }

    /**
     * How a detector looks for its shape. All but the secrets use JDK patterns whose every
     * repetition is bounded or possessive, and the narrower searches find exactly what a
     * search of the whole text would: they skip only where no match can start.
     */
    private record Search(java.util.function.Function<String, Spans> of) {
        /** A scan around each @ (addresses), no pattern. */
        static final Search AROUND_AT_SIGNS = new Search(shape -> null);
        /** The whole text. */
        static final Search EVERYWHERE = new Search(PiiDetector::jdk);
        /** Only from two letters before a digit: for shapes that open that way. */
        static final Search FROM_LETTERS_BEFORE_DIGITS = new Search(PiiDetector::fromLettersBeforeDigits);
        /** RE2/J over the whole text, for shapes with open-ended repetitions. */
        static final Search RE2 = new Search(PiiDetector::re2);

        /**
         * Only the stretches of digits and number signs that may hold a match: for shapes made
         * of those alone.
         */
        static Search numbers(java.util.function.Predicate<FoldedText.NumberStretch> mayHold) {
            return new Search(shape -> inNumbers(shape, mayHold));
        }
    }

    private static Spans jdk(String regex) {
        java.util.regex.Pattern compiled = java.util.regex.Pattern.compile(regex);
        return text -> {
            List<int[]> spans = new ArrayList<>();
            java.util.regex.Matcher m = compiled.matcher(text.folded);
            while (m.find()) {
                spans.add(new int[] {m.start(), m.end()});
            }
            return spans;
        };
    }

    /**
     * A shape written with digits and the signs of numbers alone ({@link FoldedText#numberStretches}),
     * looked for only in the stretches that may hold it: the same matches as a search of the
     * whole text, since none can cross a stretch's edge, at a fraction of the cost. The matcher
     * sees past a stretch's edges, so {@code \b} is judged as in the whole text.
     */
    private static Spans inNumbers(String regex, java.util.function.Predicate<FoldedText.NumberStretch> mayHold) {
        java.util.regex.Pattern compiled = java.util.regex.Pattern.compile(regex);
        return text -> {
            List<int[]> spans = new ArrayList<>();
            java.util.regex.Matcher m = compiled.matcher(text.folded).useTransparentBounds(true)
                    .useAnchoringBounds(false);
            for (FoldedText.NumberStretch stretch : text.numberStretches()) {
                if (!mayHold.test(stretch)) {
                    continue;
                }
                m.region(stretch.start(), stretch.end());
                while (m.find()) {
                    spans.add(new int[] {m.start(), m.end()});
                }
            }
            return spans;
        };
    }

    /**
     * A shape that opens with two letters and two digits (an IBAN), tried only from where two
     * letters stand before a digit, left to right as a search would, never from inside the
     * last match: the same matches as a search of the whole text.
     */
    private static Spans fromLettersBeforeDigits(String regex) {
        java.util.regex.Pattern compiled = java.util.regex.Pattern.compile(regex);
        return text -> {
            String s = text.folded;
            List<int[]> spans = new ArrayList<>();
            java.util.regex.Matcher m = compiled.matcher(s).useTransparentBounds(true).useAnchoringBounds(false);
            int after = 0;
            for (int i = 2; i < s.length(); i++) {
                int start = i - 2;
                if (start < after || !asciiDigit(s.charAt(i)) || !asciiLetter(s.charAt(i - 1))
                        || !asciiLetter(s.charAt(i - 2))) {
                    continue;
                }
                m.region(start, s.length());
                if (m.lookingAt()) {
                    spans.add(new int[] {m.start(), m.end()});
                    after = m.end();
                }
            }
            return spans;
        };
    }

    private static boolean asciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean asciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static Spans re2(String regex) {
        Pattern compiled = Pattern.compile(regex);
        return text -> {
            List<int[]> spans = new ArrayList<>();
            Matcher m = compiled.matcher(text.folded);
            while (m.find()) {
                spans.add(new int[] {m.start(), m.end()});
            }
            return spans;
        };
    }

    /** The name clients use (in {@code detectors} and as the redaction tag). */
    final String id;
    /** The pattern of the shape looked for, before the detector's own check; null for addresses. */
    final String shape;
    private final Spans spans;

    PiiDetector(String id, Search search, String shape) {
        this.id = id;
        this.shape = shape;
        this.spans = search.of.apply(shape);
    }

    /** Where the shape stands in the text, before the detector's own check. */
    List<int[]> spans(FoldedText text) {
        return spans.apply(text);
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
        if (!mayHold(text.folded)) {
            return List.of();
        }
        if (this == CARD) {
            return cards(text);
        }
        if (this == IBAN) {
            return ibans(text);
        }
        if (this == EMAIL) {
            return emails(text);
        }
        List<Finding> found = new ArrayList<>();
        for (int[] span : spans(text)) {
            String match = text.folded.substring(span[0], span[1]);
            if (valid(match)) {
                found.add(new Finding(text.originalStart(span[0]), text.originalEnd(span[1]), id, evidence(match)));
            }
        }
        return found;
    }

    /**
     * Where in the original text the earliest match that more text could still complete may
     * start (its length when none can): what a stream must hold back for this detector. A
     * match not yet complete is made of its shape's characters up to the end, so it lies in
     * the text's last run of them; an IBAN's run (letters, digits, spaces) is most of any
     * text, so it is asked of the pattern itself from each letter of its last 64 characters.
     */
    int openFrom(FoldedText text) {
        String s = text.folded;
        int from = switch (this) {
            case EMAIL -> run(s, c -> localChar(c) || c == '@');
            case PHONE, CARD, US_SSN, IPV4 -> run(s, c -> asciiDigit(c) || " +().-".indexOf(c) >= 0);
            case IPV6 -> run(s, c -> asciiDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':');
            case SECRET -> {
                int begin = s.indexOf("-----BEGIN");
                int tail = run(s, c -> asciiDigit(c) || asciiLetter(c) || c == '_' || c == '-' || c == '.');
                yield begin >= 0 ? Math.min(begin, tail) : tail;
            }
            case IBAN -> ibanOpenFrom(s);
        };
        return text.originalStart(from);
    }

    private interface InShape {
        boolean test(char c);
    }

    /** Where the run of characters {@code inShape} that ends the text starts. */
    private static int run(String s, InShape inShape) {
        int from = s.length();
        while (from > 0 && inShape.test(s.charAt(from - 1))) {
            from--;
        }
        return from;
    }

    /** An IBAN is at most 64 chars (two letters, two digits, thirty more with a space before each). */
    private static final int LONGEST_IBAN = 64;
    private static final java.util.regex.Pattern IBAN_SHAPE = java.util.regex.Pattern.compile(IBAN.shape);

    private static int ibanOpenFrom(String s) {
        java.util.regex.Matcher m = IBAN_SHAPE.matcher(s).useTransparentBounds(true).useAnchoringBounds(false);
        for (int start = Math.max(0, s.length() - LONGEST_IBAN); start < s.length(); start++) {
            if (!asciiLetter(s.charAt(start))) {
                continue;
            }
            m.region(start, s.length());
            m.lookingAt();
            // The end of the text was read: more text could make a match here, or a longer one.
            if (m.hitEnd()) {
                return start;
            }
        }
        return s.length();
    }

    /**
     * Addresses, found around each @: the local part to its left (up to 64 characters), the
     * domain to its right, which needs a dot and a final label of 2 to 24 letters.
     */
    private List<Finding> emails(FoldedText text) {
        String s = text.folded;
        List<Finding> found = new ArrayList<>();
        int after = 0;
        for (int at = s.indexOf('@'); at >= 0; at = s.indexOf('@', at + 1)) {
            int start = at;
            while (start > after && at - start < 64 && localChar(s.charAt(start - 1))) {
                start--;
            }
            int end = at + 1;
            while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) && s.charAt(end) < 0x80
                    || s.charAt(end) == '.' || s.charAt(end) == '-')) {
                end++;
            }
            while (end > at + 1 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-')) {
                end--;
            }
            // Looked for within the domain only: lastIndexOf from the end would rescan the whole
            // text before each @, quadratic for a text of many.
            int lastDot = end - 1;
            while (lastDot > at + 1 && s.charAt(lastDot) != '.') {
                lastDot--;
            }
            String tld = lastDot > at + 1 ? s.substring(lastDot + 1, end) : "";
            if (start == at || tld.length() < 2 || tld.length() > 24 || !tld.chars().allMatch(Character::isLetter)
                    || s.charAt(at + 1) == '.') {
                continue;
            }
            found.add(new Finding(text.originalStart(start), text.originalEnd(end), id,
                    evidence(s.substring(start, end))));
            after = end;
        }
        return found;
    }

    private static boolean localChar(char c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || "._%+-".indexOf(c) >= 0);
    }

    /** Literal beginnings a secret of each shape has; a text with none of them holds no secret. */
    private static final List<String> SECRET_MARKS = List.of("sk-", "AKIA", "gh", "xox", "AIza", "_live_", "tnt_",
            "-----BEGIN", "eyJ");

    /**
     * A cheap look for what every match needs (an @, a digit, two colons, a key's prefix),
     * so that the pattern runs only on text that may hold a match: most text holds none.
     */
    private boolean mayHold(String text) {
        return switch (this) {
            case EMAIL -> text.indexOf('@') >= 0;
            case IPV6 -> text.indexOf(':') >= 0 && text.indexOf(':', text.indexOf(':') + 1) >= 0;
            case SECRET -> SECRET_MARKS.stream().anyMatch(text::contains);
            default -> hasDigit(text);
        };
    }

    private static boolean hasDigit(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    /**
     * An IBAN candidate may run on into the next word ("...0130 00 now"): the longest prefix
     * that passes the mod-97 check is the IBAN.
     */
    private List<Finding> ibans(FoldedText text) {
        List<Finding> found = new ArrayList<>();
        for (int[] m : spans(text)) {
            List<Integer> ends = new ArrayList<>();
            StringBuilder compact = new StringBuilder();
            for (int i = m[0]; i < m[1]; i++) {
                char c = text.folded.charAt(i);
                if (c != ' ') {
                    compact.append(Character.toUpperCase(c));
                    ends.add(i + 1);
                }
            }
            for (int length = Math.min(compact.length(), 34); length >= 15; length--) {
                if (ibanChecksum(compact.substring(0, length))) {
                    int end = ends.get(length - 1);
                    found.add(new Finding(text.originalStart(m[0]), text.originalEnd(end), id,
                            evidence(text.folded.substring(m[0], end))));
                    break;
                }
            }
        }
        return found;
    }

    /**
     * Cards are looked for group by group, so that a number written next to others (a date,
     * a CVV, an order number) is still found: in each run of digit groups, the longest stretch
     * of whole groups that makes a valid card, from each group on.
     */
    private List<Finding> cards(FoldedText text) {
        List<Finding> found = new ArrayList<>();
        for (int[] run : spans(text)) {
            List<int[]> groups = new ArrayList<>();
            int i = run[0];
            while (i < run[1]) {
                int start = i;
                while (i < run[1] && Character.isDigit(text.folded.charAt(i))) {
                    i++;
                }
                groups.add(new int[] {start, i});
                i++;
            }
            // Every stretch of whole groups that is a valid card; card-shaped ones (4-4-4-4,
            // 4-6-5, one unbroken number) first, then longer ones, so that a date or a phone
            // number just before a card does not pull the card's span off its digits.
            List<int[]> windows = new ArrayList<>();
            for (int from = 0; from < groups.size(); from++) {
                StringBuilder digits = new StringBuilder();
                for (int to = from; to < groups.size() && digits.length() <= 19; to++) {
                    digits.append(text.folded, groups.get(to)[0], groups.get(to)[1]);
                    if (between(digits.length(), 13, 19) && luhn(digits.toString())) {
                        windows.add(new int[] {from, to, cardShaped(groups.subList(from, to + 1)) ? 1 : 0,
                            digits.length()});
                    }
                }
            }
            windows.sort((a, b) -> a[2] != b[2] ? b[2] - a[2] : a[3] != b[3] ? b[3] - a[3] : a[0] - b[0]);
            boolean[] taken = new boolean[groups.size()];
            for (int[] w : windows) {
                boolean free = true;
                for (int g = w[0]; g <= w[1]; g++) {
                    free &= !taken[g];
                }
                if (!free) {
                    continue;
                }
                for (int g = w[0]; g <= w[1]; g++) {
                    taken[g] = true;
                }
                int start = groups.get(w[0])[0];
                int stop = groups.get(w[1])[1];
                found.add(new Finding(text.originalStart(start), text.originalEnd(stop), id,
                        evidence(text.folded.substring(start, stop))));
            }
        }
        found.sort(java.util.Comparator.comparingInt(Finding::start));
        return found;
    }

    /** How cards are printed: one unbroken number, fours (the last may be shorter), or 4-6-5. */
    private static boolean cardShaped(List<int[]> groups) {
        if (groups.size() == 1) {
            return true;
        }
        int[] lengths = groups.stream().mapToInt(g -> g[1] - g[0]).toArray();
        if (lengths.length == 3 && lengths[0] == 4 && lengths[1] == 6 && lengths[2] == 5) {
            return true;
        }
        for (int k = 0; k < lengths.length - 1; k++) {
            if (lengths[k] != 4) {
                return false;
            }
        }
        return lengths[lengths.length - 1] <= 4;
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
        String plain = this == EMAIL ? match : kept(match, true);
        String last = plain.length() <= 4 ? "" : plain.substring(plain.length() - 4);
        return this == EMAIL ? "an address at " + match.substring(match.indexOf('@') + 1)
                : id + " ending " + (last.isEmpty() ? "(short)" : last);
    }

    private static boolean between(int n, int min, int max) {
        return n >= min && n <= max;
    }

    private static String digits(String text) {
        return kept(text, false);
    }

    /** The ASCII digits of {@code text}, and its ASCII letters too when asked: a pattern per call cost more than the search. */
    private static String kept(String text, boolean letters) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (asciiDigit(c) || letters && asciiLetter(c)) {
                out.append(c);
            }
        }
        return out.toString();
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
