package io.tenantry.guardrail;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Text as rules compare it, with a map back to the original so that a match found here
 * redacts the right span there. Compatibility forms are unfolded ("ｆｕｌｌ" is "full", a
 * no-break space is a space), accents and other combining marks removed, and characters
 * that show nothing are dropped (zero-width spaces and joiners, soft hyphens, byte-order
 * marks, control characters other than tab and line breaks), so none of them can hide a word,
 * an address or a number. {@link #lowerCase} is also in lower case, for words and phrases;
 * {@link #keepingCase} is not, for data whose case matters (keys, IBANs).
 */
final class FoldedText {

    final String folded;
    private final int[] origin;
    private final String original;

    private FoldedText(String folded, int[] origin, String original) {
        this.folded = folded;
        this.origin = origin;
        this.original = original;
    }

    static FoldedText lowerCase(String original) {
        return of(original, true);
    }

    static FoldedText keepingCase(String original) {
        return of(original, false);
    }

    private static FoldedText of(String original, boolean lowerCase) {
        StringBuilder folded = new StringBuilder(original.length());
        int[] origin = new int[original.length() + 16];
        int n = 0;
        for (int i = 0; i < original.length();) {
            int cp = original.codePointAt(i);
            int width = Character.charCount(cp);
            if (cp < 0x80) {
                // ASCII folds to itself (in lower case where asked): no normalizer for most text.
                if (shows(cp)) {
                    if (n == origin.length) {
                        origin = Arrays.copyOf(origin, origin.length * 2);
                    }
                    origin[n++] = i;
                    folded.append(lowerCase && cp >= 'A' && cp <= 'Z' ? (char) (cp + 32) : (char) cp);
                }
                i++;
                continue;
            }
            String one = shows(cp) ? fold(original.substring(i, i + width), lowerCase) : "";
            for (int k = 0; k < one.length(); k++) {
                if (n == origin.length) {
                    origin = Arrays.copyOf(origin, origin.length * 2);
                }
                origin[n++] = i;
                folded.append(one.charAt(k));
            }
            i += width;
        }
        return new FoldedText(folded.toString(), Arrays.copyOf(origin, n), original);
    }

    /** Whether the character shows anything: format characters and controls (but tab and breaks) do not. */
    private static boolean shows(int cp) {
        int type = Character.getType(cp);
        return type != Character.FORMAT && (type != Character.CONTROL || cp == '\t' || cp == '\n' || cp == '\r');
    }

    static String fold(String text) {
        return fold(text, true);
    }

    private static String fold(String text, boolean lowerCase) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder kept = new StringBuilder(decomposed.length());
        for (int i = 0; i < decomposed.length(); i++) {
            char c = decomposed.charAt(i);
            if (Character.getType(c) != Character.NON_SPACING_MARK && shows(c)) {
                kept.append(c);
            }
        }
        return lowerCase ? kept.toString().toLowerCase(Locale.ROOT) : kept.toString();
    }

    /** Where folded position {@code start} begins in the original. */
    int originalStart(int start) {
        return start < origin.length ? origin[start] : original.length();
    }

    /** Where the folded span ending (exclusive) at {@code end} ends in the original: after the character it came from. */
    int originalEnd(int end) {
        if (end == 0) {
            return 0;
        }
        int from = origin[end - 1];
        int after = from + Character.charCount(original.codePointAt(from));
        // Marks and invisible characters that follow the span belong to it, so none is left behind.
        while (after < original.length() && hidden(original.codePointAt(after))) {
            after += Character.charCount(original.codePointAt(after));
        }
        return after;
    }

    private static boolean hidden(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || !shows(cp);
    }
}
