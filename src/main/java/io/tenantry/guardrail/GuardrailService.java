package io.tenantry.guardrail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.Agent;
import io.tenantry.agent.AgentDeparture;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.AppliesTo;
import io.tenantry.api.ApiException;
import io.tenantry.api.Csv;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.Numbers;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Each org's guardrail rules, the checks agents ask for, and the interventions they make.
 * An org's rules judge only its own agents; anyone with the guardrails page edits the rules
 * of the orgs in their scope.
 */
@Service
class GuardrailService implements AgentDeparture {

    static final int MAX_PER_ORG = 200;
    /** Longer text is refused rather than judged in part: a check must see everything it allows. */
    static final int MAX_CONTENT = 1024 * 1024;

    private static final Set<String> FIELDS = Set.of("name", "type", "direction", "action", "severity", "mode",
            "enabled", "appliesTo", "keywords", "pattern", "detectors", "maxTokens", "limit", "window", "allowedHours",
            "allowedDays");
    private static final Map<String, String> READ_ONLY = PatchBody.readOnly("id", "orgId", "version", "createdAt",
            "updatedAt");
    private static final Map<String, String> ALIASES = Map.of("applies_to", "appliesTo", "max_tokens", "maxTokens",
            "allowed_hours", "allowedHours", "allowed_days", "allowedDays");

    private final GuardrailRepository rules;
    private final InterventionLog interventions;
    private final RuleSets ruleSets;
    private final OrganizationService organizations;
    private final AgentService agents;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    GuardrailService(GuardrailRepository rules, InterventionLog interventions, RuleSets ruleSets,
            OrganizationService organizations, AgentService agents, ScopedTransactions transactions, AuditLog audit) {
        this.rules = rules;
        this.interventions = interventions;
        this.ruleSets = ruleSets;
        this.organizations = organizations;
        this.agents = agents;
        this.transactions = transactions;
        this.audit = audit;
    }

    CursorPage<GuardrailRule> list(OrgCallContext context, PageRequest page) {
        return transactions.read(context.scope(), () -> rules.list(context.scope(), page));
    }

    GuardrailRule get(OrgCallContext context, UUID id) {
        return transactions.read(context.scope(), () -> rules.find(context.scope(), id)
                .orElseThrow(GuardrailService::notFound));
    }

    CursorPage<RuleVersion> versions(OrgCallContext context, UUID id, PageRequest page) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            rules.find(scope, id).orElseThrow(GuardrailService::notFound);
            return rules.versions(scope, id, page);
        });
    }

    GuardrailRule create(OrgCallContext context, Map<String, Object> body) {
        Map<String, Object> fields = checkedFields(body);
        String name = Fields.required("name", text(fields, "name"), 200);
        RuleDefinition definition = RuleDefinition.read(fields, null);
        AppliesTo appliesTo = fields.get("appliesTo") == null ? AppliesTo.EVERY_AGENT
                : AppliesTo.parse(fields.get("appliesTo"));
        boolean enabled = !fields.containsKey("enabled") || flag(fields.get("enabled"));
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        OrgScope scope = context.scope();
        if (!scope.includes(orgId)) {
            throw ApiException.forbidden("Pick one of your organizations as the org context to add a rule to.");
        }
        return transactions.write(scope, () -> {
            organizations.lock(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            if (rules.countIn(scope, orgId) >= MAX_PER_ORG) {
                throw ApiException.conflict("This organization has " + MAX_PER_ORG + " guardrail rules, the most it "
                        + "may have: delete or merge some first.");
            }
            UUID id = UUID.randomUUID();
            refuseTakenName(scope, orgId, name, id);
            agents.requireAgentsOf(scope, orgId, appliesTo);
            GuardrailRule created = GuardrailRule.of(id, orgId, name, definition, enabled, appliesTo, 1, context.at(),
                    context.at());
            rules.insert(scope, created, context.actor().label());
            rules.changed(scope, orgId);
            audit.record(context, orgId, "guardrail_rule.created", "guardrail_rule", id, null, created.auditState());
            return created;
        });
    }

    GuardrailRule update(OrgCallContext context, UUID id, Map<String, Object> body) {
        Map<String, Object> fields = checkedFields(body);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            GuardrailRule before = rules.lock(scope, id).orElseThrow(GuardrailService::notFound);
            String name = fields.containsKey("name") ? Fields.required("name", text(fields, "name"), 200)
                    : before.name();
            RuleDefinition definition = RuleDefinition.read(fields, before.definition());
            AppliesTo appliesTo = fields.containsKey("appliesTo") ? AppliesTo.parse(fields.get("appliesTo"))
                    : before.appliesTo();
            boolean enabled = fields.containsKey("enabled") ? flag(fields.get("enabled")) : before.enabled();
            refuseTakenName(scope, before.orgId(), name, id);
            if (!appliesTo.equals(before.appliesTo())) {
                agents.requireAgentsOf(scope, before.orgId(), appliesTo);
            }
            GuardrailRule same = GuardrailRule.of(id, before.orgId(), name, definition, enabled, appliesTo,
                    before.version(), before.createdAt(), before.updatedAt());
            if (same.equals(before)) {
                return before;
            }
            GuardrailRule after = GuardrailRule.of(id, before.orgId(), name, definition, enabled, appliesTo,
                    before.version() + 1, before.createdAt(), context.at());
            rules.update(scope, before, after, context.actor().label());
            rules.changed(scope, before.orgId());
            audit.record(context, before.orgId(), "guardrail_rule.updated", "guardrail_rule", id,
                    before.auditState(), after.auditState());
            return after;
        });
    }

    void delete(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            GuardrailRule before = rules.lock(scope, id).orElseThrow(GuardrailService::notFound);
            rules.delete(scope, id);
            rules.changed(scope, before.orgId());
            audit.record(context, before.orgId(), "guardrail_rule.deleted", "guardrail_rule", id,
                    before.auditState(), null);
            return null;
        });
    }

    /**
     * An agent's check: its org's rules judge the text; every match is recorded as an
     * intervention, and a pause_agent decision pauses the agent, in one transaction. With a
     * rate rule in play the check is counted in that same transaction, before the rules judge.
     */
    Verdict check(OrgCallContext context, AgentPrincipal agent, CheckRequest request) {
        String direction = checkDirection(request.direction(), false);
        String content = checkContent(request.content());
        Long tokens = tokens(request.tokens());
        OrgScope scope = context.scope();
        Loaded loaded = transactions.read(scope, () -> load(scope, agent.orgId()));
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

    /** An org's rule set, and its time zone where a rule keeps office hours. */
    private record Loaded(RuleSet set, ZoneId zone) {
    }

    private Loaded load(OrgScope scope, UUID orgId) {
        RuleSet set = ruleSets.of(scope, orgId);
        ZoneId zone = set.keepsHours() ? organizations.find(scope, orgId).map(o -> ZoneId.of(o.timeZone()))
                .orElse(ZoneOffset.UTC) : ZoneOffset.UTC;
        return new Loaded(set, zone);
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
            records.add(new Intervention(UUID.randomUUID(), agent.orgId(), agent.agentId(), match.ruleId(),
                    match.ruleVersion(), match.ruleName(), match.type(), match.action(), match.mode(),
                    match.severity(), direction, verdict.decision(), truncate(match.evidence()), null,
                    context.at()));
        }
        interventions.append(scope, records);
        if ("pause".equals(verdict.decision())) {
            Verdict.Match pausing = verdict.matches().stream()
                    .filter(m -> "pause_agent".equals(m.action()) && "enforce".equals(m.mode())).findFirst()
                    .orElseThrow();
            agents.changeStatus(context, agent.agentId(), AgentService.StatusChange.pause, "guardrail rule '"
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
        return transactions.read(scope, () -> {
            if (request.agentId() != null && agents.names(scope.narrowedTo(List.of(orgId)),
                    List.of(request.agentId())).isEmpty()) {
                throw ApiException.badRequest("agentId", "agentId is not an agent of this organization.");
            }
            Loaded loaded = load(scope, orgId);
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

    /**
     * A person pauses, resumes or stops an agent of the orgs in their scope, for a reason
     * that goes on the intervention log with their name.
     */
    Agent control(OrgCallContext context, UUID agentId, AgentService.StatusChange change, String reason) {
        String why = Fields.required("reason", reason, 500);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            Agent after = agents.changeStatus(context, agentId, change, why).orElseThrow(() -> ApiException.conflict(
                    "The agent is already " + switch (change) {
                        case pause -> "paused.";
                        case resume -> "active.";
                        case stop -> "stopped: paused, with no key left to revoke.";
                    }));
            interventions.append(scope, List.of(new Intervention(UUID.randomUUID(), after.clientOrgId(), agentId, null,
                    null, null, null, change.name(), "manual", null, null, change.name(), why,
                    context.actor().label(), context.at())));
            return after;
        });
    }

    CursorPage<Intervention> interventions(OrgCallContext context, InterventionLog.Filter filter, PageRequest page) {
        return transactions.read(context.scope(), () -> interventions.list(context.scope(), filter, page));
    }

    /** More than an export should carry: a longer log is exported a time range at a time. */
    static final int MAX_EXPORTED = 50_000;

    /** Every intervention the filter matches, newest first, as CSV (formulas disarmed). */
    String interventionsCsv(OrgCallContext context, InterventionLog.Filter filter) {
        StringBuilder csv = new StringBuilder();
        Csv.row(csv, java.util.stream.Stream.of("time", "org_id", "agent_id", "rule_id", "rule_version", "rule_name",
                "rule_type", "action", "mode", "severity", "direction", "decision", "evidence", "actor"));
        return transactions.read(context.scope(), () -> {
            // Counted first, and no further than the limit, so a refusal costs one bounded query.
            if (interventions.count(context.scope(), filter, MAX_EXPORTED) > MAX_EXPORTED) {
                throw ApiException.badRequest("from", "More than " + MAX_EXPORTED + " interventions match: "
                        + "export a shorter time range (from, to), or one agent or rule, at a time.");
            }
            String cursor = null;
            do {
                CursorPage<Intervention> page = interventions.list(context.scope(), filter,
                        PageRequest.of(PageRequest.MAX_LIMIT, cursor));
                for (Intervention i : page.items()) {
                    Csv.row(csv, java.util.stream.Stream.of(i.createdAt().toString(), i.orgId().toString(),
                            i.agentId().toString(), i.ruleId() == null ? null : i.ruleId().toString(),
                            i.ruleVersion() == null ? null : i.ruleVersion().toString(), i.ruleName(), i.ruleType(),
                            i.action(), i.mode(), i.severity(), i.direction(), i.decision(), i.evidence(), i.actor()));
                }
                cursor = page.nextCursor();
            } while (cursor != null);
            return csv.toString();
        });
    }

    /**
     * A rule of the org an agent left (moved or deleted) no longer names it: a new version,
     * on the audit trail. A rule that named no other agent is switched off, rather than kept
     * enabled while it applies to nobody.
     */
    @Override
    public void agentLeft(OrgCallContext context, UUID agentId, UUID fromOrg) {
        OrgScope scope = context.scope();
        for (UUID id : rules.naming(scope, fromOrg, agentId)) {
            GuardrailRule before = rules.lock(scope, id).orElseThrow();
            List<UUID> left = before.appliesTo().agentIds().stream().filter(a -> !a.equals(agentId)).toList();
            GuardrailRule after = GuardrailRule.of(id, fromOrg, before.name(), before.definition(),
                    before.enabled() && !left.isEmpty(), new AppliesTo(false, left), before.version() + 1,
                    before.createdAt(), context.at());
            rules.update(scope, before, after, context.actor().label());
            rules.changed(scope, fromOrg);
            audit.record(context, fromOrg, "guardrail_rule.updated", "guardrail_rule", id, before.auditState(),
                    Map.of("state", after.auditState(), "reason", AgentDeparture.reason(agentId, left.isEmpty())));
        }
    }

    /** The body of a check. */
    record CheckRequest(String direction, String content, Object tokens) {
    }

    /** The body of a dry run. */
    record TestRequest(String direction, String content, UUID agentId) {
    }

    private static Map<String, Object> checkedFields(Map<String, Object> body) {
        PatchBody fields = new PatchBody(body).aliased(ALIASES);
        fields.allowOnly(FIELDS, READ_ONLY);
        return fields.fields();
    }

    private static String text(Map<String, Object> fields, String field) {
        return new PatchBody(fields).text(field);
    }

    private static boolean flag(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw ApiException.badRequest("enabled", "enabled must be true or false.");
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
        return content;
    }

    private static Long tokens(Object value) {
        return value == null ? null : Numbers.wholeNumber("tokens", value, 0, 100_000_000);
    }

    private static String truncate(String evidence) {
        return evidence.length() <= 500 ? evidence : evidence.substring(0, 497) + "...";
    }

    private void refuseTakenName(OrgScope scope, UUID orgId, String name, UUID id) {
        if (rules.nameTaken(scope, orgId, name, id)) {
            throw ApiException.conflict("name", "This organization already has a guardrail rule named '" + name
                    + "'.");
        }
    }

    static ApiException notFound() {
        return ApiException.notFound("The guardrail rule");
    }
}
