package io.tenantry.guardrail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * What a stream holds back ({@link RuleSet#openFrom}): everything that could still begin a
 * match once more text comes, and not much more. The safety half is checked the way a stream
 * releases text: random texts full of matches, cut into random chunks, released up to where
 * the held text's open matches start; no match of the whole text may have left in part
 * before all of it was there to judge.
 */
class OpenMatchTest {

    static final int WINDOW = 256;

    static final List<Map<String, Object>> RULES = List.of(
            Map.of("type", "keyword", "keywords", List.of("wire-transfer", "wire transfer now", "café secret", "naïve")),
            Map.of("type", "regex", "pattern", "ACCT-[0-9]{8}"),
            Map.of("type", "regex", "pattern", "TICKET-[A-Z]{3}-[0-9]{4}"),
            Map.of("type", "regex", "pattern", "\\b[0-9]{3}-[0-9]{3}-[0-9]{3}\\b"),
            Map.of("type", "regex", "pattern", "internal\\.corp\\.[a-z]+"),
            Map.of("type", "regex", "pattern", "(?i)order #[0-9]{6}"),
            Map.of("type", "regex", "pattern", "x[a-z]{2,5}y"),
            Map.of("type", "regex", "pattern", "[0-9]{4,}"),
            Map.of("type", "regex", "pattern", "(?:[a-z0-9]+\\.)+[a-z]{2,6}"),
            Map.of("type", "pii", "detectors", List.of("email")),
            Map.of("type", "pii", "detectors", List.of("phone")),
            Map.of("type", "pii", "detectors", List.of("card")),
            Map.of("type", "pii", "detectors", List.of("iban")),
            Map.of("type", "pii", "detectors", List.of("us_ssn")),
            Map.of("type", "pii", "detectors", List.of("ipv4")),
            Map.of("type", "pii", "detectors", List.of("ipv6")),
            Map.of("type", "pii", "detectors", List.of("secret")));

    static final List<String> PIECES = List.of("word0", "hello", "the", "now", "wire", "transfer", "wire-transfer",
            "Wire   Transfer\nnow", "café", "ｃａｆé ｓｅｃｒｅｔ", "naive", "bob@example.com", "a.b+c@mail.example.org",
            "x@y.co", "+14155552671", "(415) 555-2671", "415-555-2671", "+44 20 7946 0958", "4111 1111 1111 1111",
            "4111-1111-1111-1111", "4111111111111111", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
            "123-45-6789", "192.168.0.1", "2001:db8::1", "fe80::1:2", "sk-abcdefghijklmnopqrstuvwx12",
            "AKIAIOSFODNN7EXAMPLE", "ghp_" + "a1B2".repeat(9),
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "ACCT-12345678",
            "TICKET-ABC-1234", "123-456-789", "internal.corp.example", "internalservice.corp.example", "ORDER #123456", "xabcy", "20261203");

    static final List<String> GAPS = List.of(" ", " ", " ", "  ", "\n", ", ", ".", "\u200B", "-", "(", "x", "", "@",
            "é", "\u0301");

    @Test
    void nothingOfAMatchLeavesBeforeAllOfItCanBeJudged() {
        Random random = new Random(20261203);
        for (Map<String, Object> fields : RULES) {
            RuleSet set = new RuleSet(1, List.of(RuleSetTest.rule("block", withBoth(fields))));
            CompiledRule compiled = new CompiledRule(RuleSetTest.rule("block", withBoth(fields)));
            for (int round = 0; round < 400; round++) {
                String text = text(random);
                List<Finding> found = compiled.find(new Scan(text), 0, false, RuleSetTest.NOW);
                streamed(set, text, random.nextInt(8) + 1, random, found, fields);
            }
        }
    }

    /**
     * Released as {@code HeldStream} releases: after each chunk, all but what could begin a
     * match (at most the window). A match of the whole text whose start left before its end
     * arrived would have been let go of unjudged.
     */
    private static void streamed(RuleSet set, String text, int chunkMost, Random random, List<Finding> found,
            Map<String, Object> rule) {
        int released = 0;
        int at = 0;
        while (at < text.length()) {
            at = Math.min(text.length(), at + 1 + random.nextInt(chunkMost));
            String held = text.substring(released, at);
            int keep = Math.min(WINDOW, held.length() - set.openFrom(RuleSetTest.AGENT, "output", held));
            int next = at - keep;
            for (Finding match : found) {
                if (match.hasSpan() && match.start() < next && match.end() > at && match.end() - match.start() <= WINDOW) {
                    fail("%s: released up to %d of %s while only %d of it had come; match %s",
                            rule, next, show(text), at, show(text.substring(match.start(), match.end())));
                }
            }
            released = Math.max(released, next);
        }
    }

    @Test
    void plainTextIsHeldOnlyWhereAMatchCouldBegin() {
        RuleSet set = new RuleSet(1, RULES.stream().filter(f -> !"[0-9]{4,}".equals(f.get("pattern")))
                .map(f -> RuleSetTest.rule("redact", withBoth(f))).toList());

        assertThat(open(set, "word0 word1 word2 ")).as("at most the last word, where a class of a pattern could begin")
                .isLessThanOrEqualTo("word2 ".length());
        assertThat(open(set, "Hello there! ")).as("nothing any rule's characters could begin").isLessThanOrEqualTo(1);
        assertThat(open(RULES.get(0), "Send the wire-tra")).as("a keyword begun").isEqualTo("wire-tra".length());
        assertThat(open(RULES.get(0), "Send the wire transfer  ")).as("a phrase waiting for its next word")
                .isEqualTo("wire transfer  ".length());
        assertThat(open(RULES.get(0), "Send the wire transfers ")).as("a phrase that cannot go on").isZero();
        assertThat(open(pii("email"), "Mail bob@exam")).as("an address begun").isEqualTo("bob@exam".length());
        assertThat(open(pii("card"), "Card 4111 1111 ")).as("a number's run, with the space before it")
                .isEqualTo(" 4111 1111 ".length());
        assertThat(open(RULES.get(4), "see internal.corp.exa")).isEqualTo("internal.corp.exa".length());
        assertThat(open(RULES.get(1), "see ACCT-1234")).as("a bounded pattern, by its characters")
                .isEqualTo("ACCT-1234".length());
        assertThat(open(pii("iban"), "IBAN DE89 3704 0044")).as("an IBAN's shape, asked of its pattern")
                .isEqualTo("DE89 3704 0044".length());
        assertThat(open(pii("iban"), "words and more words")).as("letters and spaces are not an IBAN").isZero();
        String key = "-----BEGIN RSA PRIVATE KEY-----\nMIIB and on";
        assertThat(open(pii("secret"), "Here " + key)).as("a key block runs to its end").isEqualTo(key.length());

        RuleSet flagOnly = new RuleSet(1, List.of(RuleSetTest.rule("flag", Map.of("type", "keyword", "keywords",
                List.of("refund"), "direction", "output"))));
        assertThat(open(flagOnly, "a ref")).as("a flag changes nothing that leaves: nothing held").isZero();
        assertThat(open(Map.of("type", "regex", "pattern", "[0-9]{4,}"), "order 12")).as("no literal, no bound: its characters")
                .isEqualTo(2);
        assertThat(open(Map.of("type", "regex", "pattern", "\\pL+[0-9]"), "any text ")).as("a pattern this reader cannot read")
                .isEqualTo("any text ".length());
        RuleSet injection = new RuleSet(1, List.of(RuleSetTest.rule("block", Map.of("type", "prompt_injection",
                "direction", "output"))));
        assertThat(open(injection, "any text at all ")).as("a rule that cannot tell holds everything")
                .isEqualTo("any text at all ".length());
    }

    private static int open(Map<String, Object> rule, String text) {
        return open(new RuleSet(1, List.of(RuleSetTest.rule("redact", withBoth(rule)))), text);
    }

    private static Map<String, Object> pii(String detector) {
        return Map.of("type", "pii", "detectors", List.of(detector));
    }

    private static int open(RuleSet set, String text) {
        return text.length() - set.openFrom(RuleSetTest.AGENT, "output", text);
    }

    private static Map<String, Object> withBoth(Map<String, Object> fields) {
        Map<String, Object> all = new java.util.HashMap<>(fields);
        all.put("direction", "both");
        return all;
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        int pieces = 3 + random.nextInt(12);
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES.get(random.nextInt(PIECES.size())));
            text.append(GAPS.get(random.nextInt(GAPS.size())));
        }
        return text.toString();
    }

    private static String show(String text) {
        List<String> out = new ArrayList<>();
        text.codePoints().forEach(cp -> out.add(cp < 0x20 || cp > 0x7E ? String.format("\\u%04X", cp)
                : String.valueOf((char) cp)));
        return String.join("", out);
    }
}
