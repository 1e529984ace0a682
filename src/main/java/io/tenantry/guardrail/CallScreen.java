package io.tenantry.guardrail;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.PausedBy;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/**
 * The rules on one call: its prompt (input) and its answer (output), which may be judged
 * in parts as a stream goes. Rate rules count the call once per direction, on its first
 * judgement. Each rule that matched is recorded once per call and direction, with the
 * strictest decision that direction came to, when {@link #record()} is called; a pause
 * decision pauses the agent in that same transaction.
 */
public final class CallScreen {

    private static final Map<String, Integer> STRICTNESS = Map.of("allow", 0, "redact", 1, "block", 2, "pause", 3);

    private final CallGuard guard;
    private final OrgCallContext context;
    private final AgentPrincipal agent;
    private final RuleSet set;
    private final ZoneId zone;
    private final Map<String, Map<UUID, Long>> counts = new HashMap<>();
    private final Map<String, Map<UUID, Verdict.Match>> matched = new LinkedHashMap<>();
    private final Map<String, String> decisions = new HashMap<>();
    /** One for the whole call: its regex rules spend it on every text they judge, chunk by chunk. */
    private final RegexClock regexClock = new RegexClock();

    CallScreen(CallGuard guard, OrgCallContext context, AgentPrincipal agent, RuleSet set, ZoneId zone) {
        this.guard = guard;
        this.context = context;
        this.agent = agent;
        this.set = set;
        this.zone = zone;
    }

    /** Whether any rule judges this agent's texts going {@code direction} ("input" or "output"). */
    public boolean judges(String direction) {
        return set.judges(agent.agentId(), direction);
    }

    /**
     * Judges a text of the call going {@code direction}; {@code tokens} are the call's
     * token count where known (for max_tokens rules), else null. What matched is kept for
     * {@link #record()}.
     */
    public Verdict judge(String direction, String text, Long tokens) {
        return judge(direction, text, tokens, null);
    }

    /**
     * Judges a part of the call's texts (a stream's held text, one choice of several), which
     * together hold {@code wholeCharacters} characters: its max_tokens rules estimate the
     * tokens of the whole, so that a stream is stopped once it grows past the limit, and an
     * answer is counted whole. {@code tokens} as for {@link #judge}.
     */
    public Verdict judgePart(String direction, String text, Long tokens, long wholeCharacters) {
        return judge(direction, text, tokens, Long.valueOf(wholeCharacters));
    }

    private Verdict judge(String direction, String text, Long tokens, Long wholeCharacters) {
        Map<UUID, Long> rateCounts = counts.computeIfAbsent(direction, this::countOnce);
        Verdict verdict = set.evaluate(agent.agentId(), direction, text, tokens, wholeCharacters,
                new Circumstances(context.at(), zone, rateCounts, regexClock));
        Map<UUID, Verdict.Match> seen = matched.computeIfAbsent(direction, d -> new LinkedHashMap<>());
        // A text's rule keeps its first match (where a stream first showed it); a rule on the
        // whole call keeps its last, so a streamed answer's max_tokens match names its final count.
        verdict.matches().forEach(m -> {
            if (RuleDefinition.WHOLE_REQUEST.contains(m.type())) {
                seen.put(m.ruleId(), m);
            } else {
                seen.putIfAbsent(m.ruleId(), m);
            }
        });
        decisions.merge(direction, verdict.decision(), CallScreen::stricter);
        return verdict;
    }

    /**
     * How many characters at the end of {@code text} (going {@code direction}) could still
     * begin a match once more text follows: what a stream must hold back after judging it.
     * Counts and records nothing.
     */
    public int open(String direction, String text) {
        return text.length() - set.openFrom(agent.agentId(), direction, text);
    }

    /**
     * How many characters at the end of {@code text} a window of {@code window} characters
     * covers when only characters that show are counted: a stream's hold-back.
     */
    public static int window(String text, int window) {
        return FoldedText.tailShowing(text, window);
    }

    /** How many characters of {@code text} show: what fills a stream's window. */
    public static int showing(String text) {
        return FoldedText.showing(text);
    }

    /** What the enforced redactions of {@code text} going {@code direction} would cut out of it. Counts and records nothing. */
    public List<String> redactedParts(String direction, String text) {
        return set.redactedParts(agent.agentId(), direction, text, counted(direction));
    }

    /**
     * A part of a text already judged, redacted as the rules redact it: what a redact
     * decision about the whole sends on for this part. Counts and records nothing.
     */
    public String redacted(String direction, String part) {
        return set.redacted(agent.agentId(), direction, part, counted(direction));
    }

    /**
     * The call is stopped although the rules only asked to redact, because the redaction
     * could not be placed (a match across two texts, in a field's name, or partly sent
     * already): the direction's decision, as recorded, is block.
     */
    public void unplaceable(String direction) {
        decisions.merge(direction, "block", CallScreen::stricter);
    }

    /** The strictest decision about this direction so far; null when nothing judged it. */
    public String decision(String direction) {
        return decisions.get(direction);
    }

    /** Records what matched, once; later calls record only what matched since. */
    public void record() {
        if (matched.values().stream().allMatch(Map::isEmpty)) {
            return;
        }
        OrgScope scope = context.scope();
        List<Intervention> records = new ArrayList<>();
        Verdict.Match pausing = null;
        for (Map.Entry<String, Map<UUID, Verdict.Match>> direction : matched.entrySet()) {
            String decision = decisions.get(direction.getKey());
            for (Verdict.Match match : direction.getValue().values()) {
                records.add(Intervention.of(UUID.randomUUID(), agent.orgId(), agent.agentId(), match.ruleId(),
                        match.ruleVersion(), match.ruleName(), match.type(), match.action(), match.mode(),
                        match.severity(), direction.getKey(), decision, evidence(match.evidence()),
                        match.occurrences(), null, context.at()));
                if ("pause".equals(decision) && pausing == null && "pause_agent".equals(match.action())
                        && "enforce".equals(match.mode())) {
                    pausing = match;
                }
            }
        }
        Verdict.Match pause = pausing;
        guard.transactions.write(scope, () -> {
            guard.interventions.append(scope, records);
            if (pause != null) {
                guard.agents.changeStatus(context, agent.agentId(), AgentService.StatusChange.pause,
                        PausedBy.rule(pause.baseline()),
                        "guardrail rule '" + pause.ruleName() + "' (" + pause.ruleId() + ", version "
                                + pause.ruleVersion() + ") on a gateway call");
            }
        });
        matched.clear();
    }

    private Map<UUID, Long> countOnce(String direction) {
        List<GuardrailRule> counting = set.counting(agent.agentId(), direction);
        if (counting.isEmpty()) {
            return Map.of();
        }
        OrgScope scope = context.scope();
        return guard.transactions.write(scope, () -> {
            Map<UUID, Long> counted = new HashMap<>();
            for (GuardrailRule rule : counting) {
                counted.put(rule.id(), guard.rules.countCheck(scope, agent.orgId(), rule.id(), agent.agentId(),
                        GuardrailChecks.windowStart(context.at(), rule)));
            }
            return counted;
        });
    }

    /** The call's circumstances with the rate counts its first judgement of {@code direction} took, if any. */
    private Circumstances counted(String direction) {
        return new Circumstances(context.at(), zone, counts.getOrDefault(direction, Map.of()), regexClock);
    }

    private static String stricter(String a, String b) {
        return STRICTNESS.get(a) >= STRICTNESS.get(b) ? a : b;
    }

    private static String evidence(String evidence) {
        return evidence.length() <= 500 ? evidence : evidence.substring(0, 497) + "...";
    }
}
