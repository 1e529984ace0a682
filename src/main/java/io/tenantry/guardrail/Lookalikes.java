package io.tenantry.guardrail;

import java.util.HashMap;
import java.util.Map;

/**
 * Greek and Cyrillic letters drawn as Latin ones, read as the Latin letter a reader (and a
 * model) takes them for, as Unicode's confusable detection (UTS #39) reads mixed-script
 * words: in a word that mixes them with Latin letters ("іgnоrе" with a Cyrillic і and о),
 * each as its look in the case it was written (a capital Ν is N, a small ν is v). A word of
 * Greek or Cyrillic letters alone is left as it is, whatever Latin word it looks like (outside
 * tester: the Russian "сор" matched a rule against "cop"). Folded text is lower case, one
 * char for one, so a match still maps back to the span it came from.
 */
final class Lookalikes {

    /** In a word with Latin letters: a letter written in capitals, by its lower case. */
    private static final Map<Character, Character> CAPITAL = pairs(
            "аa вb еe кk мm нh оo рp сc тt уy хx іi јj ѕs үy ԛq ԝw ӏl "
                    + "αa βb εe ζz ηh ιi κk μm νn οo ρp τt υy χx");
    /** In a word with Latin letters: a letter written small. */
    private static final Map<Character, Character> SMALL = pairs(
            "аa еe оo рp сc уy хx іi јj ѕs һh ԁd ԛq ԝw ӏl үy ѵv кk тt "
                    + "αa ιi κk νv οo ρp υu χx γy");

    private Lookalikes() {
    }

    private static Map<Character, Character> pairs(String pairs) {
        Map<Character, Character> map = new HashMap<>();
        for (String pair : pairs.split(" ")) {
            map.put(pair.charAt(0), pair.charAt(1));
        }
        return Map.copyOf(map);
    }

    /**
     * Replaces, in {@code folded}'s first {@code n} chars (lower case, each from
     * {@code original} at {@code origin}), the lookalikes of each word that mixes them with
     * Latin letters.
     */
    static void unmask(char[] folded, int n, int[] origin, String original) {
        int start = 0;
        while (start < n) {
            if (!Character.isLetter(folded[start])) {
                start++;
                continue;
            }
            int end = start;
            boolean latin = false;
            boolean lookalike = false;
            for (; end < n && Character.isLetter(folded[end]); end++) {
                char c = folded[end];
                if (Character.UnicodeScript.of(c) == Character.UnicodeScript.LATIN) {
                    latin = true;
                } else {
                    lookalike |= CAPITAL.containsKey(c) || SMALL.containsKey(c);
                }
            }
            if (latin && lookalike) {
                for (int k = start; k < end; k++) {
                    Map<Character, Character> looks = Character.isUpperCase(original.codePointAt(origin[k]))
                            ? CAPITAL : SMALL;
                    folded[k] = looks.getOrDefault(folded[k], folded[k]);
                }
            }
            start = end;
        }
    }
}
