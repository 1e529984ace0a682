package io.tenantry.guardrail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tenantry.api.Fields;

/**
 * One org's enabled rules and the platform baseline's, compiled: the evaluator. It does no
 * I/O, so one text is judged by the rules alone. The strictest action of the enforced rules
 * that matched decides (pause_agent, then block, redact, flag); shadow rules are reported
 * and change nothing.
 */
final class RuleSet {

    private static final Map<String, Integer> STRICTNESS = Map.of("flag", 1, "redact", 2, "block", 3,
            "pause_agent", 4);
    private static final Map<String, String> DECISION = Map.of("flag", "allow", "redact", "redact", "block", "block",
            "pause_agent", "pause");

    /** The org's count of rule changes that {@link #own} was compiled at. */
    final long version;
    /** The count of baseline changes that the baseline rules here were compiled at. */
    final long baselineVersion;
    private final List<CompiledRule> own;
    /** The baseline's rules first, then the org's own. */
    private final List<CompiledRule> rules;
    /** Asked on every check, so answered once. */
    private final boolean keepsHours;

    /** The org's own rules alone. */
    RuleSet(long version, List<GuardrailRule> rules) {
        this(version, compile(rules), Baseline.NONE);
    }

    private RuleSet(long version, List<CompiledRule> own, Baseline baseline) {
        this.version = version;
        this.baselineVersion = baseline.version();
        this.own = own;
        List<CompiledRule> all = new ArrayList<>(baseline.rules());
        all.addAll(own);
        this.rules = List.copyOf(all);
        this.keepsHours = this.rules.stream().anyMatch(r -> "off_hours".equals(r.rule.type()));
    }

    /** The baseline as compiled at one count of its changes; the default org's rules hold it already. */
    record Baseline(long version, List<CompiledRule> rules) {
        static final Baseline NONE = new Baseline(-1, List.of());

        static Baseline of(long version, List<GuardrailRule> rules) {
            return new Baseline(version, compile(rules));
        }
    }

    /** The same org's rules with another baseline, compiled once for every org. */
    RuleSet with(Baseline baseline) {
        return new RuleSet(version, own, baseline);
    }

    private static List<CompiledRule> compile(List<GuardrailRule> rules) {
        return rules.stream().filter(GuardrailRule::enabled).map(CompiledRule::new).toList();
    }

    /**
     * Judges {@code content} going {@code direction} for {@code agentId}; a null agent is
     * judged by every enabled rule (a dry run of the org's whole set). Tokens count as
     * {@code tokens} or four characters a token, whichever is more. {@code now} carries the time, the org's zone and
     * the rate counts, read beforehand.
     */
    Verdict evaluate(UUID agentId, String direction, String content, Long tokens, Circumstances now) {
        return evaluate(agentId, direction, content, tokens, null, now);
    }

    /**
     * {@link #evaluate(UUID, String, String, Long, Circumstances)} for a part of a call's texts
     * which together hold {@code wholeCharacters} characters (null: the content is the whole):
     * the estimate of the tokens counts those, so a max_tokens rule counts the whole.
     */
    Verdict evaluate(UUID agentId, String direction, String content, Long tokens, Long wholeCharacters,
            Circumstances now) {
        Scan scan = new Scan(content, now.regexClock());
        // An agent may count tokens its own way, but never fewer than the text's length suggests.
        long estimated = estimatedTokens(wholeCharacters != null ? wholeCharacters
                : content.codePointCount(0, content.length()));
        long count = tokens != null ? Math.max(tokens, estimated) : estimated;
        boolean asReported = tokens != null && tokens >= estimated;
        String strictest = null;
        List<Verdict.Match> matches = new ArrayList<>();
        List<Finding> toRedact = new ArrayList<>();
        for (CompiledRule compiled : rules) {
            if (agentId != null ? !compiled.appliesTo(agentId, direction) : !compiled.appliesTo(direction)) {
                continue;
            }
            GuardrailRule rule = compiled.rule;
            List<Finding> found = compiled.find(scan, count, asReported, now);
            if (found.isEmpty()) {
                continue;
            }
            matches.add(new Verdict.Match(rule.id(), rule.version(), rule.name(), rule.type(), rule.severity(),
                    rule.action(), rule.mode(), rule.baseline(), evidence(found), found.size()));
            if ("enforce".equals(rule.mode())) {
                // A redaction that cannot say what to cut out (a rule out of time) keeps the text back.
                String action = "redact".equals(rule.action()) && found.stream().noneMatch(Finding::hasSpan)
                        && found.stream().anyMatch(f -> CompiledRule.OUT_OF_TIME.equals(f.label())) ? "block"
                        : rule.action();
                if (strictest == null || STRICTNESS.get(action) > STRICTNESS.get(strictest)) {
                    strictest = action;
                }
                if ("redact".equals(rule.action())) {
                    found.stream().filter(Finding::hasSpan).forEach(toRedact::add);
                }
            }
        }
        String decision = strictest == null ? "allow" : DECISION.get(strictest);
        String result = switch (decision) {
            case "redact" -> redact(content, toRedact);
            case "block", "pause" -> null;
            default -> content;
        };
        return new Verdict(decision, result, matches);
    }

    /**
     * Where in {@code content} the earliest match of an enforced rule that more text could
     * still complete may start, for {@code agentId}'s texts going {@code direction}: a stream
     * holds back what follows it. The content's length when none can; 0 when a rule cannot tell.
     */
    int openFrom(UUID agentId, String direction, String content) {
        Scan scan = new Scan(content);
        int from = content.length();
        for (CompiledRule compiled : rules) {
            if (from > 0 && compiled.holdsBack() && compiled.appliesTo(agentId, direction)) {
                from = Math.min(from, compiled.openFrom(scan));
            }
        }
        return from;
    }

    /** The texts that the enforced redactions of {@code content} would cut out, in order. */
    List<String> redactedParts(UUID agentId, String direction, String content, Circumstances now) {
        return redactions(agentId, direction, content, now).stream()
                .map(f -> content.substring(f.start(), f.end())).toList();
    }

    /**
     * {@code content} with the enforced redactions made and nothing else judged: a part of a
     * text whose whole was judged already, which no rule on the whole call (a max_tokens
     * rule counting the placeholders, say) may then stop.
     */
    String redacted(UUID agentId, String direction, String content, Circumstances now) {
        return redact(content, redactions(agentId, direction, content, now));
    }

    private List<Finding> redactions(UUID agentId, String direction, String content, Circumstances now) {
        Scan scan = new Scan(content, now.regexClock());
        long estimated = estimatedTokens(content.codePointCount(0, content.length()));
        List<Finding> found = new ArrayList<>();
        for (CompiledRule compiled : rules) {
            if ("redact".equals(compiled.rule.action()) && "enforce".equals(compiled.rule.mode())
                    && compiled.appliesTo(agentId, direction)) {
                compiled.find(scan, estimated, false, now).stream().filter(Finding::hasSpan).forEach(found::add);
            }
        }
        return found;
    }

    /** Four characters a token, rounded up. */
    private static long estimatedTokens(long characters) {
        return (characters + 3) / 4;
    }

    /** The rate rules that count a check of this agent in this direction. */
    List<GuardrailRule> counting(UUID agentId, String direction) {
        return rules.stream().filter(CompiledRule::counts)
                .filter(r -> agentId != null ? r.appliesTo(agentId, direction) : r.appliesTo(direction))
                .map(r -> r.rule).toList();
    }

    /** Whether any rule judges this agent's texts going {@code direction}. */
    boolean judges(UUID agentId, String direction) {
        return rules.stream().anyMatch(r -> r.appliesTo(agentId, direction));
    }

    /** Whether any rule keeps office hours, and so needs the org's time zone. */
    boolean keepsHours() {
        return keepsHours;
    }

    /** Each matched span replaced by [REDACTED:what], overlapping spans as one. */
    static String redact(String content, List<Finding> findings) {
        List<Finding> spans = new ArrayList<>(findings);
        spans.sort(Comparator.comparingInt(Finding::start).thenComparing(f -> -f.end()));
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Finding span : spans) {
            if (span.end() <= at) {
                continue;
            }
            if (span.start() >= at) {
                out.append(content, at, span.start()).append("[REDACTED:").append(span.label()).append(']');
            }
            at = Math.max(at, span.end());
        }
        return out.append(content.substring(at)).toString();
    }

    /** How many of a rule's different findings its match names; the rest are counted. */
    private static final int EVIDENCE_NAMED = 3;

    /**
     * What a rule found, each different finding once: a keyword rule that matched two of its
     * words names both (outside tester: the second word went unnamed), at most
     * {@value #EVIDENCE_NAMED} of them and how many more.
     */
    static String evidence(List<Finding> found) {
        java.util.LinkedHashSet<String> distinct = new java.util.LinkedHashSet<>();
        for (Finding finding : found) {
            distinct.add(finding.evidence());
        }
        if (distinct.size() == 1) {
            return found.get(0).evidence();
        }
        String named = distinct.stream().limit(EVIDENCE_NAMED).map(e -> Fields.shown(e, 120))
                .collect(java.util.stream.Collectors.joining("; "));
        int more = distinct.size() - EVIDENCE_NAMED;
        return more > 0 ? named + "; and " + String.format("%,d", more) + " more" : named;
    }
}
