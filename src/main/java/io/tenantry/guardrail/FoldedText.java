package io.tenantry.guardrail;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

import io.tenantry.api.Invisible;

/**
 * Text as rules compare it, with a map back to the original so that a match found here
 * redacts the right span there. Compatibility forms are unfolded ("ｆｕｌｌ" is "full", a
 * no-break space is a space), digits of every script read as 0 to 9 and dashes as "-",
 * accents and other combining marks removed, the control
 * characters that separate (vertical tab, form feed, the next-line and the file to unit
 * separators) read as spaces, and characters that show nothing are dropped (zero-width spaces
 * and joiners, soft hyphens, byte-order marks, other control characters), so none of them
 * can hide a word, an address or a number. Where one that may part words was dropped, a word
 * may end or begin ({@link #breakBefore}): "my\u200Bpassword" holds the word "password" as
 * much as "pass\u200Bword" does. {@link #lowerCase} is also in lower case, for words and phrases;
 * {@link #keepingCase} is not, for data whose case matters (keys, IBANs).
 */
final class FoldedText {

    final String folded;
    private final int[] origin;
    private final String original;
    /** The folded positions before which characters that show nothing were dropped; null for none. */
    private final BitSet breaks;
    private List<NumberStretch> numberStretches;

    private FoldedText(String folded, int[] origin, String original) {
        this(folded, origin, original, null);
    }

    private FoldedText(String folded, int[] origin, String original, BitSet breaks) {
        this.folded = folded;
        this.origin = origin;
        this.original = original;
        this.breaks = breaks;
    }

    static FoldedText lowerCase(String original) {
        return of(original, true);
    }

    static FoldedText keepingCase(String original) {
        return of(original, false);
    }

    private static FoldedText of(String original, boolean lowerCase) {
        char[] folded = new char[original.length() + 16];
        int[] origin = new int[folded.length];
        int n = 0;
        boolean greekOrCyrillic = false;
        BitSet breaks = null;
        for (int i = 0; i < original.length();) {
            char c = original.charAt(i);
            if (c >= ' ' && c < 0x7F || c == '\n' || c == '\t' || c == '\r') {
                // Printable ASCII folds to itself (in lower case where asked): no normalizer for most text.
                if (n == folded.length) {
                    folded = Arrays.copyOf(folded, n * 2);
                    origin = Arrays.copyOf(origin, n * 2);
                }
                origin[n] = i;
                folded[n++] = lowerCase && c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
                i++;
                continue;
            }
            int cp = original.codePointAt(i);
            int width = Character.charCount(cp);
            if (!shows(cp)) {
                if (parts(cp)) {
                    breaks = breaks == null ? new BitSet() : breaks;
                    breaks.set(n);
                }
                i += width;
                continue;
            }
            String one = space(cp) ? " " : cp < 0x80 ? String.valueOf((char) cp)
                    : fold(original.substring(i, i + width), lowerCase);
            for (int k = 0; k < one.length(); k++) {
                if (n == folded.length) {
                    folded = Arrays.copyOf(folded, n * 2);
                    origin = Arrays.copyOf(origin, n * 2);
                }
                origin[n] = i;
                folded[n++] = one.charAt(k);
                greekOrCyrillic |= one.charAt(k) >= 0x370 && one.charAt(k) < 0x530;
            }
            i += width;
        }
        if (lowerCase && greekOrCyrillic) {
            Lookalikes.unmask(folded, n, origin, original);
        }
        return new FoldedText(new String(folded, 0, n), Arrays.copyOf(origin, n), original, breaks);
    }

    /**
     * Whether characters that show nothing were dropped right before folded position
     * {@code at} ({@code folded.length()} for the end): a word's edge may lie there.
     */
    boolean breakBefore(int at) {
        return breaks != null && breaks.get(at);
    }

    /**
     * The same text with a space where characters that show nothing were dropped, for phrases
     * whose words must stand apart ("ignore\u0001all previous instructions"); this text itself
     * when none were.
     */
    FoldedText spacedAtBreaks() {
        if (breaks == null) {
            return this;
        }
        StringBuilder spaced = new StringBuilder(folded.length() + breaks.cardinality());
        int[] spacedOrigin = new int[folded.length() + breaks.cardinality()];
        for (int i = 0; i <= folded.length(); i++) {
            if (breaks.get(i) && i > 0 && i < folded.length()) {
                spacedOrigin[spaced.length()] = origin[i];
                spaced.append(' ');
            }
            if (i < folded.length()) {
                spacedOrigin[spaced.length()] = origin[i];
                spaced.append(folded.charAt(i));
            }
        }
        return new FoldedText(spaced.toString(), Arrays.copyOf(spacedOrigin, spaced.length()), original);
    }

    /**
     * {@code original} without the characters that show nothing, and otherwise as it is (its
     * case, its forms, its marks): what a regex rule reads, so that a zero-width space inside
     * a number hides it from no pattern. Null when {@code original} holds none of them. A lone
     * surrogate stays: no text that reaches a rule holds one (readers refuse them), and a
     * pattern's match is then found where a search of the whole text finds it.
     */
    static FoldedText visible(String original) {
        int i = 0;
        while (i < original.length()) {
            int cp = original.codePointAt(i);
            if (hidden(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        if (i == original.length()) {
            return null;
        }
        StringBuilder kept = new StringBuilder(original.length());
        int[] origin = new int[original.length()];
        kept.append(original, 0, i);
        for (int k = 0; k < i; k++) {
            origin[k] = k;
        }
        while (i < original.length()) {
            int cp = original.codePointAt(i);
            int width = Character.charCount(cp);
            if (!hidden(cp)) {
                for (int k = 0; k < width; k++) {
                    origin[kept.length()] = i + k;
                    kept.append(original.charAt(i + k));
                }
            }
            i += width;
        }
        return new FoldedText(kept.toString(), Arrays.copyOf(origin, kept.length()), original);
    }

    /**
     * How many characters at the end of {@code text} hold its last {@code showing} characters
     * that show (what {@link #visible} keeps), with what hides among them: all of it when
     * fewer show. A stream's window counts what a reader sees, so that characters that show
     * nothing cannot push the start of a match out of it.
     */
    static int tailShowing(String text, int showing) {
        int at = text.length();
        int seen = 0;
        while (at > 0 && seen < showing) {
            int cp = text.codePointBefore(at);
            at -= Character.charCount(cp);
            seen += hidden(cp) ? 0 : 1;
        }
        while (at > 0 && hidden(text.codePointBefore(at))) {
            at -= Character.charCount(text.codePointBefore(at));
        }
        return text.length() - at;
    }

    /** How many characters of {@code text} show (what {@link #visible} keeps). */
    static int showing(String text) {
        return (int) text.codePoints().filter(cp -> !hidden(cp)).count();
    }

    /**
     * What the visible text leaves out: what shows nothing, and the marks that change no
     * letter but how it is drawn (variation selectors, the combining grapheme joiner, Khmer
     * and Mongolian inherent vowels and free variation selectors), which a pattern would
     * otherwise have to name to see past.
     */
    private static boolean hidden(int cp) {
        return !shows(cp) && Character.getType(cp) != Character.SURROGATE || Invisible.silentMark(cp);
    }

    /**
     * Whether the character shows anything. These do not: format characters, controls (but
     * tab and line breaks), unassigned and private-use code points, and the letters and
     * symbols that render blank (Hangul fillers, the Braille blank, the object placeholder).
     */
    private static boolean shows(int cp) {
        int type = Character.getType(cp);
        if (type == Character.CONTROL) {
            return separates(cp);
        }
        return type != Character.FORMAT && type != Character.UNASSIGNED && type != Character.PRIVATE_USE
                && type != Character.SURROGATE && !Invisible.blankLetter(cp);
    }

    /**
     * Whether a character that shows nothing may stand between two words: a control character,
     * the zero-width space, the invisible separator and the Mongolian vowel separator, and the
     * letters that render blank. A soft hyphen, a joiner or a mark is inside a word
     * ("bomb\u00ADastic" holds no word "bomb").
     */
    private static boolean parts(int cp) {
        return Character.getType(cp) == Character.CONTROL || cp == 0x200B || cp == 0x2063 || cp == 0x180E
                || Invisible.blankLetter(cp);
    }

    /** Every kind of space and line or paragraph separator, compared as a plain space. */
    private static boolean space(int cp) {
        return Character.isSpaceChar(cp) && cp != ' ' || separates(cp) && cp != '\t' && cp != '\n' && cp != '\r';
    }

    /**
     * The control characters that stand between words or lines as a space or a line break
     * does: tab, line feed, vertical tab, form feed, carriage return, the file, group, record
     * and unit separators, and next line.
     */
    private static boolean separates(int cp) {
        return cp >= '\t' && cp <= '\r' || cp >= 0x1C && cp <= 0x1F || cp == 0x85;
    }

    /** {@code text} as {@link #lowerCase} folds it. */
    static String fold(String text) {
        return lowerCase(text).folded;
    }

    private static String fold(String text, boolean lowerCase) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder kept = new StringBuilder(decomposed.length());
        // By code point: marks and hidden characters beyond the first plane (variation
        // selectors 17 to 256, say) are pairs of chars.
        decomposed.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK && shows(cp)) {
                kept.appendCodePoint(space(cp) ? ' ' : type == Character.DECIMAL_DIGIT_NUMBER && cp >= 0x80
                        ? '0' + Character.digit(cp, 10) : dash(cp, type) ? '-' : cp);
            }
        });
        if (!lowerCase) {
            return kept.toString();
        }
        // Letters a reader (and a model) takes for others, which lower case leaves apart:
        // Turkish dotless ı is i ("ıgnore prevıous ınstructıons"), Greek final ς is σ, and
        // small capitals are the letters they are drawn as ("ɪɢɴᴏʀᴇ").
        char[] lower = kept.toString().toLowerCase(Locale.ROOT).toCharArray();
        for (int i = 0; i < lower.length; i++) {
            char c = lower[i];
            int small = SMALL_CAPITALS.indexOf(c);
            lower[i] = c == 'ı' ? 'i' : c == 'ς' ? 'σ' : small >= 0 ? (char) ('a' + small) : c;
        }
        return new String(lower);
    }

    /**
     * Dashes, the minus signs, the hyphen bullet and the modifier letter minus, which a reader
     * takes for a hyphen-minus in a number
     * ("4111–1111–1111–1111", "123−45−6789") as in a word.
     */
    private static boolean dash(int cp, int type) {
        return type == Character.DASH_PUNCTUATION || cp == 0x2212 || cp == 0x2796 || cp == 0x2043 || cp == 0x02D7;
    }

    /** Latin small capitals, a to z at their letter's place (none for x). */
    private static final String SMALL_CAPITALS = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡ\u0000ʏᴢ";

    /** A stretch of digits and number signs [start, end), with what a shape may ask of it. */
    record NumberStretch(int start, int end, int digits, int dots, int dashes) {
    }

    /**
     * Where numbers may be written: each stretch of digits and the signs written in and around
     * them (space, {@code + ( ) . -}) that holds an ASCII digit, left to right. Found once per
     * text, for every detector of a number's shape.
     */
    List<NumberStretch> numberStretches() {
        if (numberStretches == null) {
            List<NumberStretch> found = new ArrayList<>();
            int start = -1;
            int digits = 0;
            int dots = 0;
            int dashes = 0;
            for (int i = 0; i <= folded.length(); i++) {
                char c = i < folded.length() ? folded.charAt(i) : 'x';
                boolean digit = c >= '0' && c <= '9';
                if (digit || c == ' ' || c == '+' || c == '(' || c == ')' || c == '.' || c == '-') {
                    if (start < 0) {
                        start = i;
                        digits = 0;
                        dots = 0;
                        dashes = 0;
                    }
                    digits += digit ? 1 : 0;
                    dots += c == '.' ? 1 : 0;
                    dashes += c == '-' ? 1 : 0;
                    continue;
                }
                if (start >= 0 && digits > 0) {
                    found.add(new NumberStretch(start, i, digits, dots, dashes));
                }
                start = -1;
            }
            numberStretches = List.copyOf(found);
        }
        return numberStretches;
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
        // Combining marks that follow the span belong to it, so none is left behind. Invisible
        // format characters do not: one may close a direction override opened before.
        while (after < original.length() && mark(original.codePointAt(after))) {
            after += Character.charCount(original.codePointAt(after));
        }
        return after;
    }

    private static boolean mark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK;
    }
}
