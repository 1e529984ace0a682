package io.tenantry.guardrail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Text that every match of a pattern must contain: at least one of a few literals. A text
 * holding none of them cannot match, so the pattern need not run on it, which for most
 * rules and most texts is the whole cost of a regex rule (RE2/J runs at tens of MB/s).
 *
 * <p>Read from the pattern's RE2 syntax, conservatively: a run of plain characters in the
 * pattern's top-level sequence, or a group whose every alternative requires a literal
 * (as in {@code (?:urgent|asap)}). Whatever this reader does not fully understand (flags
 * other than a leading {@code (?i)}, {@code \Q}, Unicode classes by escape, backreference
 * syntax) yields nothing, and the pattern then runs on every text. It may require less than
 * the pattern does, never more: that is what the tests check against RE2/J itself.
 */
record RequiredText(List<String> anyOf, boolean caseless, int longestMatch, int longestBefore) {

    /** Matches no longer than this (in chars) are searched for around the literals only. */
    static final int WINDOWED_UP_TO = 256;
    static final int UNBOUNDED = Integer.MAX_VALUE;

    /** What every match of {@code pattern} (RE2 syntax) contains, if this reader can tell. */
    static Optional<RequiredText> of(String pattern) {
        boolean caseless = pattern.startsWith("(?i)");
        Reader reader = new Reader(caseless ? pattern.substring(4) : pattern, caseless);
        try {
            List<String> required = reader.alternatives(false);
            if (reader.at != reader.pattern.length() || required == null) {
                return Optional.empty();
            }
            List<String> folded = required.stream().map(r -> caseless ? fold(r) : r).toList();
            return Optional.of(new RequiredText(folded, caseless, (int) Math.min(reader.longest, UNBOUNDED),
                    (int) Math.min(reader.before, UNBOUNDED)));
        } catch (Unreadable e) {
            return Optional.empty();
        }
    }

    /**
     * What any match of {@code pattern} (RE2 syntax) is made of, literals or none: its
     * longest length in chars ({@link #UNBOUNDED} when it has no bound) and the characters it
     * can contain. Empty when this reader cannot tell.
     */
    static Optional<Shape> shape(String pattern) {
        boolean caseless = pattern.startsWith("(?i)");
        Reader reader = new Reader(caseless ? pattern.substring(4) : pattern, caseless);
        try {
            reader.alternatives(false);
            if (reader.at != reader.pattern.length()) {
                return Optional.empty();
            }
            return Optional.of(new Shape((int) Math.min(reader.longest, UNBOUNDED), reader.ascii, reader.others));
        } catch (Unreadable e) {
            return Optional.empty();
        }
    }

    /**
     * What a pattern's matches are made of: no longer than {@code longestMatch} chars, of the
     * ASCII characters marked in {@code ascii} and, where {@code others}, of any other.
     */
    record Shape(int longestMatch, boolean[] ascii, boolean others) {

        /**
         * Where the last run of characters a match can contain starts: a match that more text
         * could complete is made of them up to the end, and holds fewer chars than its longest.
         */
        int openFrom(String text) {
            int from = text.length();
            int shortest = longestMatch == UNBOUNDED ? 0 : Math.max(0, text.length() - (longestMatch - 1));
            while (from > shortest) {
                char c = text.charAt(from - 1);
                if (c < 128 ? !ascii[c] : !others) {
                    break;
                }
                from--;
            }
            return from;
        }
    }

    /**
     * Where in the text the earliest match that more text could still complete may start
     * (the text's length when none can), for patterns whose literal stands at a bounded
     * distance from a match's start; -1 when that cannot be told. Such a match holds a
     * literal that either stands in the text already, at most {@link #longestBefore} chars
     * after the match's start, or runs on past the text's end.
     */
    int openFrom(Scan scan) {
        if (longestBefore > WINDOWED_UP_TO || caseless && !scan.caselessAligned()) {
            return -1;
        }
        String in = caseless ? scan.caseless() : scan.text;
        int longestLiteral = anyOf.stream().mapToInt(String::length).max().orElse(0);
        int from = Math.max(0, in.length() - (longestBefore + longestLiteral - 1));
        for (String literal : anyOf) {
            int at = in.indexOf(literal);
            if (at >= 0) {
                from = Math.min(from, Math.max(0, at - longestBefore));
            }
        }
        return from;
    }

    /** Whether {@code text} may match: it holds one of the literals. */
    boolean mayMatch(Scan scan) {
        String in = caseless ? scan.caseless() : scan.text;
        for (String literal : anyOf) {
            if (in.contains(literal)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where in the text a match may stand: around each occurrence of a literal, as far on
     * either side as the longest match reaches, as [start, end) pairs, overlapping ones joined.
     * Null when that cannot be told (matches of unbounded length, or a case-folded view whose
     * positions are not the text's), or would not save anything.
     */
    int[] windows(Scan scan) {
        if (longestMatch > WINDOWED_UP_TO) {
            return null;
        }
        return around(scan, true);
    }

    /**
     * Where a match may start, for patterns whose matches have no bounded length but whose
     * literal stands at a bounded distance from a match's start ({@code ticket\s+[0-9]+}): up
     * to that distance before each occurrence of a literal, as [start, end) pairs, overlapping
     * ones joined. Null when that cannot be told or would not save anything.
     */
    int[] starts(Scan scan) {
        if (longestBefore > WINDOWED_UP_TO) {
            return null;
        }
        return around(scan, false);
    }

    /**
     * Around each occurrence of a literal: where a match holding it can stand (a match is no
     * longer than the longest and holds the whole literal), or else where it can start.
     */
    private int[] around(Scan scan, boolean wholeMatch) {
        if (caseless && !scan.caselessAligned()) {
            return null;
        }
        String in = caseless ? scan.caseless() : scan.text;
        List<int[]> found = new ArrayList<>();
        for (String literal : anyOf) {
            for (int at = in.indexOf(literal); at >= 0; at = in.indexOf(literal, at + 1)) {
                found.add(wholeMatch
                        ? new int[] {Math.max(0, at + literal.length() - longestMatch),
                            Math.min(in.length(), at + longestMatch)}
                        : new int[] {Math.max(0, at - longestBefore), at + 1});
            }
        }
        found.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] joined = new int[found.size() * 2];
        int n = 0;
        int covered = 0;
        for (int[] stretch : found) {
            if (n > 0 && stretch[0] <= joined[n - 1]) {
                covered += Math.max(0, stretch[1] - joined[n - 1]);
                joined[n - 1] = Math.max(joined[n - 1], stretch[1]);
            } else {
                joined[n++] = stretch[0];
                joined[n++] = stretch[1];
                covered += stretch[1] - stretch[0];
            }
        }
        return covered * 2 > in.length() ? null : java.util.Arrays.copyOf(joined, n);
    }

    /**
     * Each character as RE2's case-insensitive matching sees it, up to what a literal needs:
     * the letters of one case-folding orbit (k, K and the Kelvin sign; s, S and the long s)
     * all become one. Lengths may change; only containment is asked of the result.
     */
    static String fold(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length();) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
                i++;
                continue;
            }
            int cp = text.codePointAt(i);
            out.appendCodePoint(Character.toLowerCase(Character.toUpperCase(cp)));
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static final class Unreadable extends RuntimeException {
        Unreadable() {
            super(null, null, false, false);
        }
    }

    /** A recursive reading of the pattern from {@code at}. */
    private static final class Reader {
        /** Longer than any text a check takes: a repetition without an upper bound. */
        static final long ENDLESS = 1L << 40;

        final String pattern;
        final boolean caseless;
        int at;
        /** The longest match, in chars, of what the last {@link #alternatives} or {@link #sequence} read. */
        long longest;
        /** How many chars at most, in what the last one read, come before the start of its required literal. */
        long before;
        /** The ASCII characters a match may contain, as read so far. */
        final boolean[] ascii = new boolean[128];
        /** Whether a match may contain characters beyond ASCII. */
        boolean others;

        Reader(String pattern, boolean caseless) {
            this.pattern = pattern;
            this.caseless = caseless;
        }

        /**
         * Alternatives up to the end or (inside a group) the closing parenthesis: what all
         * of them require, or null when one requires nothing.
         */
        List<String> alternatives(boolean inGroup) {
            List<String> all = new ArrayList<>();
            boolean any = true;
            long longestOfAll = 0;
            long beforeOfAll = 0;
            while (true) {
                List<String> one = sequence();
                longestOfAll = Math.max(longestOfAll, longest);
                beforeOfAll = Math.max(beforeOfAll, before);
                longest = longestOfAll;
                before = beforeOfAll;
                if (one == null) {
                    any = false;
                } else {
                    all.addAll(one);
                }
                if (at < pattern.length() && pattern.charAt(at) == '|') {
                    at++;
                    continue;
                }
                if (inGroup) {
                    if (at >= pattern.length() || pattern.charAt(at) != ')') {
                        throw new Unreadable();
                    }
                    at++;
                } else if (at < pattern.length()) {
                    throw new Unreadable();
                }
                return any && !all.isEmpty() ? all : null;
            }
        }

        /** One alternative: the most selective requirement of its parts, or null for none. */
        List<String> sequence() {
            Choice best = new Choice();
            StringBuilder run = new StringBuilder();
            long runStart = 0;
            long length = 0;
            while (at < pattern.length()) {
                char c = pattern.charAt(at);
                if (c == '|' || c == ')') {
                    break;
                }
                if (c == '(') {
                    best.offer(run, runStart);
                    run.setLength(0);
                    List<String> part = group();
                    long group = longest;
                    long inGroup = before;
                    if (!optional()) {
                        best.offer(part, plus(length, inGroup));
                    }
                    length = plus(length, times(group, skipQuantifier()));
                    continue;
                }
                if (c == '[') {
                    best.offer(run, runStart);
                    run.setLength(0);
                    readClass();
                    // A class may match a character beyond the first plane: two chars.
                    length = plus(length, times(2, skipQuantifier()));
                    continue;
                }
                int from = at;
                Character literal = literal();
                String atom = pattern.substring(from, at);
                if (literal != null) {
                    add(literal);
                } else {
                    addAtom(atom);
                }
                long width = literal != null ? 1 : width(atom);
                // Case folding may match a character by another of its orbit: counted wide.
                width = caseless ? width * 2 : width;
                if (literal == null || optional()) {
                    best.offer(run, runStart);
                    run.setLength(0);
                    length = plus(length, times(width, skipQuantifier()));
                    continue;
                }
                if (run.length() == 0) {
                    runStart = length;
                }
                run.append(literal.charValue());
                if (quantified()) {
                    // a+ or a{2,}: the character is there, what follows it may not be next to it.
                    best.offer(run, runStart);
                    run.setLength(0);
                }
                length = plus(length, times(width, skipQuantifier()));
            }
            best.offer(run, runStart);
            longest = length;
            before = best.before;
            return best.literals;
        }

        /** The most selective requirement seen so far, and how far into a match it may start. */
        private static final class Choice {
            List<String> literals;
            long before;

            void offer(StringBuilder run, long start) {
                if (run.length() > 0) {
                    offer(List.of(run.toString()), start);
                }
            }

            /** Kept if it is more selective: the one whose shortest literal is longer. */
            void offer(List<String> candidate, long start) {
                if (candidate != null && (literals == null || shortest(candidate) > shortest(literals))) {
                    literals = candidate;
                    before = start;
                }
            }
        }

        /**
         * How many chars what {@code atom} (not a plain literal) matches can take at most: none
         * for assertions, one for ASCII classes and control escapes, two for what may match a
         * character beyond the first plane.
         */
        static long width(String atom) {
            return switch (atom) {
                case "^", "$", "\\b", "\\B", "\\A", "\\z" -> 0;
                case "\\d", "\\w", "\\s", "\\n", "\\t", "\\r", "\\f", "\\v", "}" -> 1;
                default -> 2;
            };
        }

        static long plus(long a, long b) {
            return Math.min(ENDLESS, a + b);
        }

        /** Saturating: endless times endless is endless, not the overflow of 2^80 (which is 0). */
        static long times(long a, long b) {
            if (a == 0 || b == 0) {
                return 0;
            }
            return a >= ENDLESS / b ? ENDLESS : a * b;
        }

        /** The literal character at {@code at} (consumed), or null for anything else (consumed too). */
        Character literal() {
            char c = pattern.charAt(at);
            if (c == '\\') {
                if (at + 1 >= pattern.length()) {
                    throw new Unreadable();
                }
                char escaped = pattern.charAt(at + 1);
                if (Character.isLetterOrDigit(escaped)) {
                    // Classes (\d \w \s), assertions (\b \A \z) and control escapes (\n \t) end
                    // a run; escapes that take an argument are not read at all.
                    if ("dDwWsSbBAzntrfv".indexOf(escaped) < 0) {
                        throw new Unreadable();
                    }
                    at += 2;
                    return null;
                }
                at += 2;
                return escaped;
            }
            at++;
            if (c == '.' || c == '^' || c == '$' || c == '*' || c == '+' || c == '?' || c == '{' || c == '}') {
                if (c == '*' || c == '+' || c == '?' || c == '{') {
                    throw new Unreadable();
                }
                return null;
            }
            if (Character.isSurrogate(c)) {
                throw new Unreadable();
            }
            return c;
        }

        /** A group at {@code at}: what it requires, or null. */
        List<String> group() {
            at++;
            if (pattern.startsWith("?:", at)) {
                at += 2;
            } else if (pattern.startsWith("?P<", at) || pattern.startsWith("?<", at)) {
                int close = pattern.indexOf('>', at);
                if (close < 0) {
                    throw new Unreadable();
                }
                at = close + 1;
            } else if (at < pattern.length() && pattern.charAt(at) == '?') {
                throw new Unreadable();
            }
            return alternatives(true);
        }

        /**
         * A class at {@code at}, consumed, its characters added: ranges and single
         * characters, the escapes of {@link #addAtom}; a negated class may match anything.
         */
        void readClass() {
            at++;
            if (at < pattern.length() && pattern.charAt(at) == '^') {
                at++;
                addAny();
            }
            boolean first = true;
            while (at < pattern.length()) {
                char c = pattern.charAt(at);
                if (c == ']' && !first) {
                    at++;
                    return;
                }
                first = false;
                if (c == '[') {
                    throw new Unreadable();
                }
                Character low = classChar();
                if (low != null && at + 1 < pattern.length() && pattern.charAt(at) == '-'
                        && pattern.charAt(at + 1) != ']') {
                    at++;
                    Character high = classChar();
                    if (high == null) {
                        throw new Unreadable();
                    }
                    for (int ch = low; ch <= high; ch++) {
                        add((char) ch);
                        // Beyond ASCII only a caseless pattern has more to add (a fold into ASCII).
                        if (ch >= 128 && !caseless) {
                            break;
                        }
                    }
                }
            }
            throw new Unreadable();
        }

        /** One character of a class, consumed and added; null for a class escape ({@code \d}), added too. */
        private Character classChar() {
            char c = pattern.charAt(at);
            if (c != '\\') {
                at++;
                add(c);
                return c;
            }
            if (at + 1 >= pattern.length()) {
                throw new Unreadable();
            }
            char escaped = pattern.charAt(at + 1);
            at += 2;
            if (!Character.isLetterOrDigit(escaped)) {
                add(escaped);
                return escaped;
            }
            Character control = switch (escaped) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case 'f' -> '\f';
                case 'v' -> (char) 0x0B;
                default -> null;
            };
            if (control != null) {
                add(control);
                return control;
            }
            // \\d and the like; escapes this reader does not know (\\x41, \\pL) may be anything.
            addAtom("\\" + escaped);
            return null;
        }

        /** The characters a match of {@code atom} (not a plain literal) may contain, added. */
        void addAtom(String atom) {
            switch (atom) {
                case "^", "$", "\\b", "\\B", "\\A", "\\z" -> {
                }
                case "\\d" -> addRange('0', '9');
                case "\\w" -> {
                    addRange('0', '9');
                    addRange('A', 'Z');
                    addRange('a', 'z');
                    add('_');
                }
                case "\\s" -> "\t\n\f\r ".chars().forEach(c -> add((char) c));
                case "\\n" -> add('\n');
                case "\\t" -> add('\t');
                case "\\r" -> add('\r');
                case "\\f" -> add('\f');
                case "\\v" -> add((char) 0x0B);
                default -> addAny();
            }
        }

        private void addRange(char from, char to) {
            for (char c = from; c <= to; c++) {
                add(c);
            }
        }

        /** A character a match may contain; in a caseless pattern, every case of it, beyond ASCII too. */
        void add(char c) {
            if (c >= 128) {
                others = true;
                if (caseless) {
                    // The long s folds with s, the Kelvin sign with k.
                    for (char folded : new char[] {Character.toLowerCase(c), Character.toUpperCase(c),
                        Character.toLowerCase(Character.toUpperCase(c))}) {
                        if (folded < 128) {
                            add(folded);
                        }
                    }
                }
                return;
            }
            ascii[c] = true;
            if (caseless && Character.isLetter(c)) {
                ascii[Character.toLowerCase(c)] = true;
                ascii[Character.toUpperCase(c)] = true;
                // k and s fold with the Kelvin sign and the long s.
                others |= c == 'k' || c == 'K' || c == 's' || c == 'S';
            }
        }

        void addAny() {
            java.util.Arrays.fill(ascii, true);
            others = true;
        }

        /** Whether the quantifier at {@code at} allows none of what precedes it. */
        boolean optional() {
            if (at >= pattern.length()) {
                return false;
            }
            char c = pattern.charAt(at);
            return c == '?' || c == '*' || (c == '{' && pattern.startsWith("{0", at)) || c == '{' && !repeat();
        }

        /** Whether a quantifier that keeps at least one (+ or {n,...}) follows. */
        boolean quantified() {
            return at < pattern.length() && (pattern.charAt(at) == '+' || pattern.charAt(at) == '{');
        }

        /** Whether the brace at {@code at} is a repetition RE2 reads as one, {n}, {n,} or {n,m}. */
        boolean repeat() {
            int close = pattern.indexOf('}', at);
            return close > at && pattern.substring(at + 1, close).matches("[0-9]+(,[0-9]*)?");
        }

        /** Consumes the quantifier at {@code at}, if any: how many times it lets what precedes it repeat at most. */
        long skipQuantifier() {
            if (at >= pattern.length()) {
                return 1;
            }
            char c = pattern.charAt(at);
            long most;
            if (c == '?') {
                at++;
                most = 1;
            } else if (c == '*' || c == '+') {
                at++;
                most = ENDLESS;
            } else if (c == '{') {
                if (!repeat()) {
                    throw new Unreadable();
                }
                int close = pattern.indexOf('}', at);
                String bounds = pattern.substring(at + 1, close);
                int comma = bounds.indexOf(',');
                String upper = comma < 0 ? bounds : bounds.substring(comma + 1);
                // RE2 refuses counts over 1000; a longer digit string is not a count anyone means.
                most = upper.isEmpty() || upper.length() > 4 ? ENDLESS : Long.parseLong(upper);
                at = close + 1;
            } else {
                return 1;
            }
            if (at < pattern.length() && (pattern.charAt(at) == '?' || pattern.charAt(at) == '+')) {
                if (pattern.charAt(at) == '+') {
                    throw new Unreadable();
                }
                at++;
            }
            return most;
        }

        static int shortest(List<String> literals) {
            return literals.stream().mapToInt(String::length).min().orElse(0);
        }
    }
}
