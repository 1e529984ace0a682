package io.tenantry.api;

/**
 * Characters that show as nothing, in one place for the input checks ({@link Fields}) and the
 * guardrails' reading of text: with them, two names or addresses can look alike, and a word
 * can hide from a rule.
 */
public final class Invisible {

    private Invisible() {
    }

    /**
     * Letters and symbols that render blank: the Hangul fillers, the Braille blank, the object
     * placeholder.
     */
    public static boolean blankLetter(int cp) {
        return cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800 || cp == 0xFFFC;
    }

    /**
     * Marks that change no letter but how it is drawn: the combining grapheme joiner, the Khmer
     * inherent vowels, the Mongolian free variation selectors and the variation selectors.
     */
    public static boolean silentMark(int cp) {
        return cp == 0x034F || cp == 0x17B4 || cp == 0x17B5 || variationSelector(cp);
    }

    /**
     * Unicode's default-ignorable code points (DerivedCoreProperties, Unicode 15), listed here
     * rather than read from the JDK's tables: those of Java 17 do not yet know some of them
     * (U+180F, the unassigned U+2065 and U+FFF0-8), which render as nothing all the same
     * (outside tester).
     */
    public static boolean defaultIgnorable(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4
                || cp == 0x17B5 || cp >= 0x180B && cp <= 0x180F || cp >= 0x200B && cp <= 0x200F
                || cp >= 0x202A && cp <= 0x202E || cp >= 0x2060 && cp <= 0x206F || cp == 0x3164
                || cp >= 0xFE00 && cp <= 0xFE0F || cp == 0xFEFF || cp == 0xFFA0 || cp >= 0xFFF0 && cp <= 0xFFF8
                || cp >= 0x1BCA0 && cp <= 0x1BCA3 || cp >= 0x1D173 && cp <= 0x1D17A || cp >= 0xE0000 && cp <= 0xE0FFF;
    }

    /** Variation selectors (standard, Mongolian, supplementary): emoji and some scripts need them in a name. */
    public static boolean variationSelector(int cp) {
        return cp >= 0xFE00 && cp <= 0xFE0F || cp >= 0x180B && cp <= 0x180D || cp == 0x180F
                || cp >= 0xE0100 && cp <= 0xE01EF;
    }

    /** The joiners and direction marks (U+200C/D, U+200E/F, U+061C) that some scripts and emoji need in a name. */
    public static boolean neededInNames(int cp) {
        return cp == 0x200C || cp == 0x200D || cp == 0x200E || cp == 0x200F || cp == 0x061C;
    }
}
