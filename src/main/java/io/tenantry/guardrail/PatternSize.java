package io.tenantry.guardrail;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How large a regex pattern is once RE2/J compiles it, read from its text: the largest
 * product of counted repetitions ({@code {n}}, {@code {n,}}, {@code {n,m}}) nested inside one
 * another, which RE2 itself limits to 1000 (RE2/J does not: it accepts {@code (a{1000}){1000}}
 * and compiles a million instructions), and roughly how many instructions the repetitions
 * spell out ({@code parts}), which is what RE2/J runs every character through, and how deep
 * its recursion goes ({@code (?:a?){1000}} twelve times overflowed a request thread's stack).
 * Reads a pattern RE2/J has compiled, so its groups, classes and escapes are well formed.
 */
record PatternSize(long nestedRepetition, long parts) {

    private static final Pattern COUNT = Pattern.compile(
            "\\{(\\d{1,4})(?:,(\\d{1,4})?)?}");

    /** One group being read: the largest nested product and the parts so far. */
    private static final class Group {
        long product = 1;
        long parts;
    }

    static PatternSize of(String pattern) {
        Deque<Group> outer = new ArrayDeque<>();
        Group group = new Group();
        long lastProduct = 1;
        long lastParts = 0;
        Matcher count;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == 'Q') {
                    int end = pattern.indexOf("\\E", i + 2);
                    int to = end < 0 ? pattern.length() : end;
                    lastParts = Math.max(1, to - (i + 2));
                    i = end < 0 ? pattern.length() : end + 1;
                } else {
                    i++;
                    lastParts = 1;
                }
                lastProduct = 1;
                group.parts += lastParts;
            } else if (c == '[') {
                i = classEnd(pattern, i);
                lastProduct = 1;
                lastParts = 1;
                group.parts += 1;
            } else if (c == '(') {
                // (?:...), (?P<name>...) and (?flags:...) open a group; (?flags) alone sets flags.
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '?') {
                    int named = pattern.startsWith("?P<", i + 1) ? pattern.indexOf('>', i) : -1;
                    int end = named >= 0 ? named : i + 2;
                    while (named < 0 && end < pattern.length() && pattern.charAt(end) != ':'
                            && pattern.charAt(end) != ')') {
                        end++;
                    }
                    if (named < 0 && end < pattern.length() && pattern.charAt(end) == ')') {
                        i = end;
                        continue;
                    }
                    i = end;
                }
                outer.push(group);
                group = new Group();
            } else if (c == ')' && !outer.isEmpty()) {
                lastProduct = group.product;
                // An empty group still compiles to an instruction, which a repetition repeats.
                lastParts = Math.max(1, group.parts);
                Group inner = group;
                group = outer.pop();
                group.product = Math.max(group.product, inner.product);
                group.parts = plus(group.parts, lastParts);
            } else if (c == '{' && (count = counted(pattern, i)) != null) {
                long times = Long.parseLong(count.group(2) != null ? count.group(2) : count.group(1));
                group.parts = plus(group.parts, times(lastParts, Math.max(0, times - 1)) + 1);
                lastParts = times(lastParts, times);
                lastProduct = times(lastProduct, times);
                group.product = Math.max(group.product, lastProduct);
                i = count.end() - 1;
            } else if (c == '*' || c == '+' || c == '?' || c == '|') {
                group.parts = plus(group.parts, 1);
            } else {
                lastProduct = 1;
                lastParts = 1;
                group.parts = plus(group.parts, 1);
            }
        }
        return new PatternSize(group.product, group.parts);
    }

    private static Matcher counted(String pattern, int at) {
        Matcher count = COUNT.matcher(pattern).region(at, pattern.length());
        return count.lookingAt() ? count : null;
    }

    private static long plus(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    private static long times(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** The index of the ']' that closes the class opening at {@code open}. */
    private static int classEnd(String pattern, int open) {
        int i = open + 1;
        if (i < pattern.length() && pattern.charAt(i) == '^') {
            i++;
        }
        if (i < pattern.length() && pattern.charAt(i) == ']') {
            i++;
        }
        for (; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[' && i + 1 < pattern.length() && pattern.charAt(i + 1) == ':') {
                int end = pattern.indexOf(":]", i + 2);
                i = end < 0 ? i : end + 1;
            } else if (c == ']') {
                return i;
            }
        }
        return pattern.length();
    }
}
