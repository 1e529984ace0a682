package io.tenantry.guardrail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentKeys;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.PausedBy;
import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.api.Numbers;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * What agents ask of the rules: a check of a text (recorded as interventions, and counted
 * where a rate rule is in play), and an operator's dry run of the same (recorded nowhere).
 */
@Service
class GuardrailChecks {

    /** Longer text is refused rather than judged in part: a check must see everything it allows. */
    static final int MAX_CONTENT = 1024 * 1024;

    private final GuardrailRepository rules;
    private final InterventionLog interventions;
    private final OrgRules orgRules;
    private final OrganizationService organizations;
    private final AgentService agents;
    private final AgentKeys agentKeys;
    private final ScopedTransactions transactions;

    GuardrailChecks(GuardrailRepository rules, InterventionLog interventions, OrgRules orgRules,
            OrganizationService organizations, AgentService agents, AgentKeys agentKeys,
            ScopedTransactions transactions) {
        this.rules = rules;
        this.interventions = interventions;
        this.orgRules = orgRules;
        this.organizations = organizations;
        this.agents = agents;
        this.agentKeys = agentKeys;
        this.transactions = transactions;
    }

    /**
     * An agent's check: its org's rules judge the text; every match is recorded as an
     * intervention, and a pause_agent decision pauses the agent, in one transaction. With a
     * rate rule in play the check is counted in that same transaction, before the rules judge.
     */
    Verdict check(OrgCallContext context, AgentPrincipal agent, CheckRequest request) {
        OrgScope scope = context.scope();
        // The principal may be a minute old (RecentAgentKeys): the rule set's counts confirm
        // it, before anything is judged, recorded or said about the request.
        OrgRules.Loaded loaded = orgRules.load(scope, agent.orgId(), Optional.of(agentKeys.confirmation(agent)));
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String direction = checkDirection(request.direction(), false);
        String content = checkContent(request.content());
        Long tokens = tokens(request.tokens());
        List<GuardrailRule> counting = loaded.set().counting(agent.agentId(), direction);
        if (counting.isEmpty()) {
            Verdict verdict = loaded.set().evaluate(agent.agentId(), direction, content, tokens,
                    new Circumstances(context.at(), loaded.zone(), Map.of()));
            if (!verdict.matches().isEmpty()) {
                transactions.write(scope, () -> record(context, agent, direction, verdict));
            }
            return verdict;
        }
        return transactions.write(scope, () -> {
            Map<UUID, Long> counts = new HashMap<>();
            for (GuardrailRule rule : counting) {
                counts.put(rule.id(), rules.countCheck(scope, agent.orgId(), rule.id(), agent.agentId(),
                        windowStart(context.at(), rule)));
            }
            Verdict verdict = loaded.set().evaluate(agent.agentId(), direction, content, tokens,
                    new Circumstances(context.at(), loaded.zone(), counts));
            if (!verdict.matches().isEmpty()) {
                record(context, agent, direction, verdict);
            }
            return verdict;
        });
    }

    /** Windows are aligned to the epoch, so every node counts into the same one. */
    static Instant windowStart(Instant at, GuardrailRule rule) {
        long length = rule.definition().windowLength().getSeconds();
        long second = at.getEpochSecond();
        return Instant.ofEpochSecond(second - Math.floorMod(second, length));
    }

    private Void record(OrgCallContext context, AgentPrincipal agent, String direction, Verdict verdict) {
        OrgScope scope = context.scope();
        List<Intervention> records = new ArrayList<>();
        for (Verdict.Match match : verdict.matches()) {
            records.add(Intervention.of(UUID.randomUUID(), agent.orgId(), agent.agentId(), match.ruleId(),
                    match.ruleVersion(), match.ruleName(), match.type(), match.action(), match.mode(),
                    match.severity(), direction, verdict.decision(), truncate(match.evidence()), match.occurrences(),
                    null, context.at()));
        }
        interventions.append(scope, records);
        if ("pause".equals(verdict.decision())) {
            Verdict.Match pausing = verdict.matches().stream()
                    .filter(m -> "pause_agent".equals(m.action()) && "enforce".equals(m.mode())).findFirst()
                    .orElseThrow();
            agents.changeStatus(context, agent.agentId(), AgentService.StatusChange.pause,
                    PausedBy.rule(pausing.baseline()), "guardrail rule '"
                    + pausing.ruleName() + "' (" + pausing.ruleId() + ", version " + pausing.ruleVersion() + ")");
        }
        return null;
    }

    /** A dry run of the org context's rules, shadow rules included; nothing is recorded. */
    Verdict test(OrgCallContext context, TestRequest request) {
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String direction = checkDirection(request.direction(), true);
        String content = checkContent(request.content());
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        OrgScope scope = context.scope();
        if (!scope.includes(orgId)) {
            throw ApiException.forbidden("Pick one of your organizations as the org context to test its rules.");
        }
        // An org context naming no organization would dry-run the baseline alone, and leave a
        // compiled set behind for an org id anyone can make up.
        transactions.read(scope, () -> organizations.find(scope, orgId))
                .orElseThrow(() -> ApiException.notFound("The organization"));
        OrgRules.Loaded loaded = orgRules.load(scope, orgId);
        return transactions.read(scope, () -> {
            if (request.agentId() != null && agents.names(scope.narrowedTo(List.of(orgId)),
                    List.of(request.agentId())).isEmpty()) {
                throw ApiException.badRequest("agentId", "agentId is not an agent of this organization.");
            }
            // What the next check would count, without counting it.
            Map<UUID, Long> counts = new HashMap<>();
            if (request.agentId() != null) {
                for (GuardrailRule rule : loaded.set().counting(request.agentId(), direction)) {
                    counts.put(rule.id(), rules.checksSoFar(scope, rule.id(), request.agentId(),
                            windowStart(context.at(), rule)) + 1);
                }
            }
            return loaded.set().evaluate(request.agentId(), direction, content, null,
                    new Circumstances(context.at(), loaded.zone(), counts));
        });
    }

    /** The body of a check. */
    record CheckRequest(String direction, String content, Object tokens) {
    }

    /** The body of a dry run. */
    record TestRequest(String direction, String content, UUID agentId) {
    }

    private static String checkDirection(String value, boolean optional) {
        if (value == null && optional) {
            return "input";
        }
        return RuleDefinition.oneOf("direction", value, List.of("input", "output"));
    }

    private static String checkContent(String content) {
        if (content == null) {
            throw ApiException.badRequest("content", "content is required: the text to check.");
        }
        if (content.length() > MAX_CONTENT || content.getBytes(StandardCharsets.UTF_8).length > MAX_CONTENT) {
            throw ApiException.tooLarge("content", "content is larger than 1 MB (1,048,576 bytes in UTF-8): check "
                    + "it in parts.");
        }
        return Fields.wholeCharacters("content", content);
    }

    private static Long tokens(Object value) {
        return value == null ? null : Numbers.wholeNumber("tokens", value, 0, 100_000_000);
    }

    private static String truncate(String evidence) {
        return evidence.length() <= 500 ? evidence : evidence.substring(0, 497) + "...";
    }
}
