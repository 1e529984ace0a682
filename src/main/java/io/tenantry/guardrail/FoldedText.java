package io.tenantry.guardrail;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Text as keywords and phrases are compared with it: compatibility forms unfolded
 * ("ｆｕｌｌ" is "full"), accents removed, lower case. Each folded character remembers where
 * it came from in the original, so a match found in the folded text names the span of the
 * original to redact.
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

    static FoldedText of(String original) {
        StringBuilder folded = new StringBuilder(original.length());
        int[] origin = new int[original.length() + 16];
        int n = 0;
        for (int i = 0; i < original.length();) {
            int cp = original.codePointAt(i);
            int width = Character.charCount(cp);
            String one = fold(original.substring(i, i + width));
            for (int k = 0; k < one.length(); k++) {
                if (n == origin.length) {
                    origin = java.util.Arrays.copyOf(origin, origin.length * 2);
                }
                origin[n++] = i;
                folded.append(one.charAt(k));
            }
            i += width;
        }
        return new FoldedText(folded.toString(), java.util.Arrays.copyOf(origin, n), original);
    }

    static String fold(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder kept = new StringBuilder(decomposed.length());
        for (int i = 0; i < decomposed.length(); i++) {
            char c = decomposed.charAt(i);
            if (Character.getType(c) != Character.NON_SPACING_MARK) {
                kept.append(c);
            }
        }
        return kept.toString().toLowerCase(Locale.ROOT);
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
        return from + Character.charCount(original.codePointAt(from));
    }
}
