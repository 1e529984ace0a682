package io.tenantry.guardrail;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.tenantry.agent.AppliesTo;

/**
 * The evaluator alone: 50 enabled rules of every type that judges text (keyword, regex,
 * pii, prompt_injection, max_tokens, off_hours) on a 4 KB text that trips some of them.
 * Run by bench/guardrails.sh; the target is a p99 under 1 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(1)
public class RuleSetBench {

    private static final UUID AGENT = UUID.randomUUID();

    private RuleSet rules;
    private String text;
    private Circumstances now;

    @Setup
    public void setUp() {
        List<GuardrailRule> all = new ArrayList<>();
        String[] words = {"confidential", "acme", "lawsuit", "refund", "password", "merger", "layoff", "insider",
            "competitor", "discount", "guarantee", "lottery", "bitcoin", "weapon", "casino"};
        for (int i = 0; i < 15; i++) {
            all.add(rule(i % 3 == 0 ? "redact" : "flag", Map.of("type", "keyword", "keywords",
                    List.of(words[i], words[(i + 1) % 15] + " plan", "project " + i, "code " + i, words[i] + "s"))));
        }
        String[] patterns = {"(?i)order #[0-9]{6}", "\\b[A-Z]{3}-[0-9]{4}\\b", "(?i)ticket\\s+[0-9]+",
            "https?://[a-z.]+/[a-z0-9/]*", "(?i)\\b(?:urgent|asap)\\b", "[0-9]{2}/[0-9]{2}/[0-9]{4}",
            "(?i)account (?:number|no\\.?) [0-9]+", "\\$[0-9]{4,}", "(?i)wire transfer", "(?i)gift card"};
        for (String pattern : patterns) {
            all.add(rule("flag", Map.of("type", "regex", "pattern", pattern)));
        }
        String[][] detectors = {{"email"}, {"phone"}, {"card"}, {"iban"}, {"us_ssn"}, {"ipv4"}, {"ipv6"}, {"secret"},
            {"email", "card"}, {}};
        for (String[] chosen : detectors) {
            Map<String, Object> fields = new HashMap<>(Map.of("type", "pii"));
            if (chosen.length > 0) {
                fields.put("detectors", List.of(chosen));
            }
            all.add(rule("redact", fields));
        }
        for (int i = 0; i < 5; i++) {
            all.add(rule(i == 0 ? "block" : "flag", Map.of("type", "prompt_injection")));
        }
        for (int i = 0; i < 5; i++) {
            all.add(rule("flag", Map.of("type", "max_tokens", "maxTokens", 500 + i * 500)));
        }
        for (int i = 0; i < 5; i++) {
            all.add(rule("flag", Map.of("type", "off_hours", "allowedHours", String.format("%02d:00-%02d:00", i, i + 12))));
        }
        rules = new RuleSet(1, all);
        StringBuilder body = new StringBuilder();
        String paragraph = "Hello team, the customer asked about order #123456 and their refund for ticket 8812. "
                + "Please write to jane.doe@example.com or call (415) 555-2671 before the meeting on 12/01/2026. "
                + "The café invoice lists card 4111 1111 1111 1111 and the server at 192.168.10.20 is slow. ";
        while (body.length() < 4096) {
            body.append(paragraph);
        }
        text = body.substring(0, 4096);
        now = new Circumstances(Instant.parse("2026-12-01T10:00:00Z"), ZoneId.of("Europe/Paris"), Map.of());
    }

    private static GuardrailRule rule(String action, Map<String, Object> fields) {
        Map<String, Object> all = new HashMap<>(fields);
        all.put("action", action);
        return GuardrailRule.of(UUID.randomUUID(), UUID.randomUUID(), "bench " + fields, RuleDefinition.read(all, null),
                true, AppliesTo.EVERY_AGENT, 1, Instant.now(), Instant.now());
    }

    @Benchmark
    public Verdict fiftyRulesOnFourKilobytes() {
        // A check of its own each time, as a request is: with a regex clock of its own.
        return rules.evaluate(AGENT, "input", text, null, new Circumstances(now.at(), now.zone(), now.rateCounts()));
    }
}
