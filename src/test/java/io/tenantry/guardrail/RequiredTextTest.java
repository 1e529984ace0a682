package io.tenantry.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * What a pattern requires of a text before it can match. Wrong in one direction it only costs
 * time; wrong in the other a rule stops firing, so RE2/J itself is the judge: no text it
 * matches may be skipped.
 */
class RequiredTextTest {

    static List<String> required(String pattern) {
        return RequiredText.of(pattern).map(RequiredText::anyOf).orElse(null);
    }

    @Test
    void literalsGroupsAndAlternativesAreRead() {
        assertThat(required("(?i)wire transfer")).containsExactly("wire transfer");
        assertThat(RequiredText.of("(?i)Gift Card").orElseThrow().caseless()).isTrue();
        assertThat(required("(?i)Gift Card")).containsExactly("gift card");
        assertThat(required("(?i)\\b(?:urgent|asap)\\b")).containsExactly("urgent", "asap");
        assertThat(required("(?i)order #[0-9]{6}")).containsExactly("order #");
        assertThat(required("colou?r")).containsExactly("colo");
        assertThat(required("[abc]+defg")).containsExactly("defg");
        assertThat(required("(abc)?de")).containsExactly("de");
        assertThat(required("x+yz")).containsExactly("yz");
        assertThat(required("https?://[a-z.]+/")).containsExactly("http");
        assertThat(required("\\$[0-9]{4,}")).containsExactly("$");
        assertThat(required("(?P<year>19|20)[0-9]{2}")).containsExactly("19", "20");
        assertThat(required("a|bc")).containsExactly("a", "bc");
    }

    @Test
    void whatCannotBeReadRequiresNothing() {
        for (String pattern : List.of("x*", "a|", "()", "(?s)abc", "a(?i)bc", "(?i:abc)", "\\pLabc", "\\p{Greek}ab",
                "\\Qa.b\\E", "\\x41bc", "[[:alpha:]]abc", "[0-9]{2}/", ".*", "^$", "(a|)bc?", "ab{0,3}", "😀abc")) {
            Optional<RequiredText> read = RequiredText.of(pattern);
            if (read.isPresent()) {
                assertThat(read.get().anyOf()).as(pattern).allSatisfy(l -> assertThat(l).isNotEmpty());
            }
        }
        assertThat(required("x*")).isNull();
        assertThat(required("a|")).isNull();
        assertThat(required("(?s)abc")).isNull();
        assertThat(required("a(?i)bc")).isNull();
        assertThat(required("\\Qa.b\\E")).isNull();
        assertThat(required("ab{0,3}")).containsExactly("a");
        assertThat(required("[0-9]{2}/")).containsExactly("/");
    }

    @Test
    void caseInsensitiveLiteralsFindEveryLetterOfTheirFoldingOrbit() {
        RequiredText kelvin = RequiredText.of("(?i)kiss").orElseThrow();
        for (String text : List.of("KISS", "\u212Aiss", "ki\u017Fs", "a kIsS b")) {
            assertThat(Pattern.compile("(?i)kiss").matcher(text).find()).as(text).isTrue();
            assertThat(kelvin.mayMatch(new Scan(text))).as(text).isTrue();
        }
        assertThat(kelvin.mayMatch(new Scan("kis s"))).isFalse();
    }

    /** One to five pieces, each with a quantifier, now and then an alternative; case-insensitive one time in three. */
    static String randomPattern(Random random, String[] pieces, String[] quantifiers) {
        StringBuilder pattern = new StringBuilder(random.nextInt(3) == 0 ? "(?i)" : "");
        int parts = 1 + random.nextInt(5);
        for (int i = 0; i < parts; i++) {
            pattern.append(pieces[random.nextInt(pieces.length)]).append(quantifiers[random.nextInt(
                    quantifiers.length)]);
            if (random.nextInt(10) == 0) {
                pattern.append('|');
            }
        }
        return pattern.toString();
    }

    /** The pattern compiled by RE2/J, or null where RE2 refuses it. */
    static Pattern compiled(String pattern) {
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            return null;
        }
    }

    /** Up to {@code longest - 1} characters drawn from {@code alphabet}. */
    static String randomText(Random random, String alphabet, int longest) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(longest);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** Random patterns and texts: whenever RE2/J finds a match, the text must not be skipped. */
    @Test
    void noTextThatMatchesIsEverSkipped() {
        Random random = new Random(20261201);
        String[] pieces = {"a", "b", "k", "s", "K", "S", " ", "#", "-", "\\.", ".", "\\d", "\\b", "\\s", "[ab]",
            "[^a]", "(?:a|bs)", "(ka|sk)", "(?:k)", "(a)", "ab", "sk", "\u212A", "\u017F", "(?:a+b)", "(s*k)"};
        String[] quantifiers = {"", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,}", "??", "+?"};
        String alphabet = "abksKS #-.1\u212A\u017F";
        int read = 0;
        int skipped = 0;
        for (int p = 0; p < 3_000; p++) {
            String pattern = randomPattern(random, pieces, quantifiers);
            Pattern compiled = compiled(pattern);
            Optional<RequiredText> required = RequiredText.of(pattern);
            if (compiled == null || required.isEmpty()) {
                continue;
            }
            read++;
            for (int t = 0; t < 40; t++) {
                String text = randomText(random, alphabet, 12);
                boolean matches = compiled.matcher(text).find();
                boolean may = required.get().mayMatch(new Scan(text));
                if (matches) {
                    assertThat(may).as("'%s' matches %s, which requires one of %s", text, pattern,
                            required.get().anyOf()).isTrue();
                } else if (!may) {
                    skipped++;
                }
            }
        }
        assertThat(read).as("patterns with something required").isGreaterThan(500);
        assertThat(skipped).as("texts skipped without running the pattern").isGreaterThan(5_000);
    }

    /**
     * Random patterns and texts: every match RE2/J finds is no longer than the shape's longest
     * and made of the shape's characters only, so a stream that holds the last run of them
     * holds every match that more text could complete.
     */
    @Test
    void everyMatchIsMadeOfTheShapesCharacters() {
        Random random = new Random(20261203);
        String[] pieces = {"a", "b", "k", "s", "K", " ", "#", "-", "\\.", ".", "\\d", "\\w", "\\b", "\\s", "\\n",
            "[ab]", "[a-c]", "[^a]", "[]a]", "[\\d.-]", "[\\w#]", "[-x]", "[\\x41-\\x43]", "\\D", "(?:a|bs)",
            "(ka|sk)", "\u212A", "\u017F", "\u00E9", "[\u00E0-\u00FF]", "(?:a+)", "(?:[ab]*\\.)", "(s+k?)"};
        String[] quantifiers = {"", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,}", "??", "+?"};
        String alphabet = "abcksxKSABC #-._1\n\t\u212A\u017F\u00E9\u00E0\u0100";
        int read = 0;
        for (int p = 0; p < 3_000; p++) {
            String pattern = randomPattern(random, pieces, quantifiers);
            Pattern compiled = compiled(pattern);
            Optional<RequiredText.Shape> shape = RequiredText.shape(pattern);
            if (compiled == null || shape.isEmpty()) {
                continue;
            }
            read++;
            for (int t = 0; t < 40; t++) {
                String text = randomText(random, alphabet, 14);
                Matcher m = compiled.matcher(text);
                while (m.find()) {
                    String match = m.group();
                    if (match.isEmpty()) {
                        continue;
                    }
                    assertThat(match.length()).as("%s in '%s'", pattern, text).isLessThanOrEqualTo(
                            shape.get().longestMatch());
                    assertThat(shape.get().openFrom(match)).as("every character of '%s', a match of %s", match,
                            pattern).isEqualTo(Math.max(0, match.length() - (shape.get().longestMatch() - 1)));
                }
            }
        }
        assertThat(read).as("patterns read").isGreaterThan(1_500);
    }

    @Test
    void theLongestMatchIsReadFromLiteralsClassesAndRepetitions() {
        assertThat(RequiredText.of("order #[0-9]{6}").orElseThrow().longestMatch()).isEqualTo(7 + 12);
        assertThat(RequiredText.of("(?i)ab").orElseThrow().longestMatch()).isEqualTo(4);
        assertThat(RequiredText.of("\\bab(?:cd|e)?\\b").orElseThrow().longestMatch()).isEqualTo(4);
        assertThat(RequiredText.of("x{2,5}y").orElseThrow().longestMatch()).isEqualTo(6);
        assertThat(RequiredText.of("ticket\\s+[0-9]+").orElseThrow().longestMatch()).isEqualTo(RequiredText.UNBOUNDED);
        assertThat(RequiredText.of("ab.*").orElseThrow().longestMatch()).isEqualTo(RequiredText.UNBOUNDED);
        assertThat(RequiredText.of("(?:[a-z]+\\.)+com").orElseThrow().longestMatch()).as("endless times endless")
                .isEqualTo(RequiredText.UNBOUNDED);
        assertThat(RequiredText.of("(?:\\w+ )+secret").orElseThrow().longestBefore()).isGreaterThan(
                RequiredText.WINDOWED_UP_TO);
        assertThat(RequiredText.shape("(?:[a-z0-9]+\\.)+[a-z]{2,6}").orElseThrow().longestMatch())
                .isEqualTo(RequiredText.UNBOUNDED);
    }

    @Test
    void howFarIntoAMatchItsLiteralMayStartIsRead() {
        assertThat(RequiredText.of("(?i)ticket\\s+[0-9]+").orElseThrow().longestBefore()).isZero();
        assertThat(RequiredText.of("[0-9]{2}/[0-9]+").orElseThrow().longestBefore()).isEqualTo(4);
        assertThat(RequiredText.of("\\bx?(?:ab|c(?:de)+)\\d*").orElseThrow().longestBefore()).isEqualTo(1 + 1);
        assertThat(RequiredText.of(".*password").orElseThrow().longestBefore()).isEqualTo(RequiredText.UNBOUNDED);
    }

    /**
     * Random patterns and longer texts: a pattern searched only in the windows around its
     * literals, or only from where a match holding one can start, finds exactly what a search
     * of the whole text finds, position for position.
     */
    @Test
    void searchingAroundTheLiteralsFindsWhatTheWholeTextHolds() {
        Random random = new Random(20261202);
        String[] pieces = {"a", "b", "k", "s", "K", "S", " ", "#", "-", "\\.", ".", "\\d", "\\b", "\\B", "\\s",
            "[ab]", "[^a]", "(?:a|bs)", "(ka|sk)", "(a)", "ab", "sk", "\u212A", "\u017F", "^", "$", "\\A", "\\z", "(?:a+b)", "(s*k)"};
        String[] quantifiers = {"", "", "", "?", "{2}", "{0,2}", "{1,3}", "??", "{2,4}?", "*", "+", "{1,}", "+?"};
        String alphabet = "abksKS #-.1\u212A\u017F\nxyz\uD83D\uDE00";
        int windowed = 0;
        int started = 0;
        int matched = 0;
        for (int p = 0; p < 2_000; p++) {
            String pattern = randomPattern(random, pieces, quantifiers);
            Pattern compiled = compiled(pattern);
            if (compiled == null || RequiredText.of(pattern).isEmpty()) {
                continue;
            }
            RequiredText required = RequiredText.of(pattern).orElseThrow();
            CompiledRule rule = new CompiledRule(RuleSetTest.rule("flag",
                    Map.of("type", "regex", "pattern", pattern)));
            for (int t = 0; t < 20; t++) {
                StringBuilder text = new StringBuilder();
                int length = 40 + random.nextInt(160);
                for (int i = 0; i < length; i++) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                Scan scan = new Scan(text.toString());
                List<String> expected = new ArrayList<>();
                Matcher m = compiled.matcher(text.toString());
                while (m.find()) {
                    if (m.end() > m.start()) {
                        expected.add(m.start() + "-" + m.end());
                    }
                }
                List<String> found = rule.find(scan, 0, false, RuleSetTest.NOW).stream()
                        .map(f -> f.start() + "-" + f.end()).toList();
                assertThat(found).as("%s in '%s'", pattern, text).containsExactlyElementsOf(expected);
                boolean may = required.mayMatch(scan);
                windowed += may && required.windows(scan) != null ? 1 : 0;
                started += may && required.windows(scan) == null && required.starts(scan) != null ? 1 : 0;
                matched += expected.isEmpty() ? 0 : 1;
            }
        }
        assertThat(windowed).as("texts searched in windows").isGreaterThan(2_000);
        assertThat(started).as("texts searched from possible starts").isGreaterThan(2_000);
        assertThat(matched).as("texts with a match").isGreaterThan(3_000);
    }
}
