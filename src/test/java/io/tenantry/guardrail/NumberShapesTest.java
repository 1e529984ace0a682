package io.tenantry.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The detectors of numbers' shapes (phone, card, SSN, IPv4) look only in the stretches of
 * digits and number signs, and the IBAN detector only from two letters before a digit. That
 * is a saving only if they find exactly what a search of the whole text finds, which is what
 * these random texts, dense with digits, signs and word edges, check.
 */
class NumberShapesTest {

    private static final String[] SHAPES = {"DE89 3704 0044 0532 0130 00", "FR76 AB12 3456 7890 1234 5678 9",
        "(415) 555-2671", "+44 20 7946 0958", "192.168.10.20", "123-45-6789", "4111 1111 1111 1111",
        "4111-1111-1111-1111", "+14155552671", "+1 2 34 56", ""};

    private static final String ALPHABET = "0123456789012345678901234 .-+()#/:abcXYZé\n０１";

    @Test
    void narrowedSearchesFindWhatAWholeTextSearchFinds() {
        Random random = new Random(20261201);
        List<PiiDetector> narrowed = List.of(PiiDetector.PHONE, PiiDetector.CARD, PiiDetector.US_SSN,
                PiiDetector.IPV4, PiiDetector.IBAN);
        int nonEmpty = 0;
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(60);
            for (int i = 0; i < length; i++) {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            // Real shapes among the noise, so that digits and signs beside them are tried too;
            // one IBAN has letters inside where another could seem to start.
            text.insert(random.nextInt(text.length() + 1), SHAPES[random.nextInt(SHAPES.length)]);
            FoldedText folded = FoldedText.keepingCase(text.toString());
            for (PiiDetector detector : narrowed) {
                // Card numbers are looked for only in stretches long enough for a valid one: the
                // spans that could hold one are compared.
                int fewestDigits = detector == PiiDetector.CARD ? 13 : 0;
                List<int[]> expected = wholeTextSearch(detector.shape, folded.folded).stream()
                        .filter(span -> digits(folded.folded.substring(span[0], span[1])) >= fewestDigits).toList();
                List<int[]> found = detector.spans(folded).stream()
                        .filter(span -> digits(folded.folded.substring(span[0], span[1])) >= fewestDigits).toList();
                assertThat(found).as("%s in %s", detector, text).usingElementComparator(NumberShapesTest::compare)
                        .containsExactlyElementsOf(expected);
                nonEmpty += expected.isEmpty() ? 0 : 1;
            }
        }
        assertThat(nonEmpty).as("texts in which a shape stands").isGreaterThan(15_000);
    }

    @Test
    void numberStretchesHoldEveryDigitAndOnlyNumberSigns() {
        FoldedText text = FoldedText.keepingCase("Call (415) 555-2671, ref #12 or +44 20; none here. ４２");
        List<String> found = text.numberStretches().stream().map(n -> text.folded.substring(n.start(), n.end()))
                .toList();
        assertThat(found).containsExactly(" (415) 555-2671", "12 ", " +44 20", ". 42");
        assertThat(text.numberStretches().get(0)).extracting(n -> n.digits(), n -> n.dashes(), n -> n.dots())
                .containsExactly(10, 1, 0);
    }

    private static List<int[]> wholeTextSearch(String shape, String text) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = Pattern.compile(shape).matcher(text);
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        return spans;
    }

    private static long digits(String text) {
        return text.chars().filter(c -> c >= '0' && c <= '9').count();
    }

    private static int compare(int[] a, int[] b) {
        return a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
    }
}
