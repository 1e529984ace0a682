package io.tenantry.guardrail;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentArrival;
import io.tenantry.agent.AgentDeparture;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.AppliesTo;
import io.tenantry.agent.DepartedAgents;
import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Each org's guardrail rules and their versions. An org's rules judge only its own agents;
 * anyone with the guardrails page edits the rules of the orgs in their scope. The exception
 * is the platform baseline: rules of the default organization that an owner marks as
 * applying to every organization's agents, which only owners change and every org sees.
 */
@Service
class GuardrailService implements AgentDeparture, AgentArrival {

    static final int MAX_PER_ORG = 200;

    private static final Set<String> FIELDS = Set.of("name", "type", "direction", "action", "severity", "mode",
            "enabled", "appliesTo", "keywords", "pattern", "detectors", "maxTokens", "limit", "window", "allowedHours",
            "allowedDays", "baseline");
    private static final Map<String, String> READ_ONLY = PatchBody.readOnly("id", "orgId", "version", "createdAt",
            "updatedAt");
    private static final Map<String, String> ALIASES = Map.of("applies_to", "appliesTo", "max_tokens", "maxTokens",
            "allowed_hours", "allowedHours", "allowed_days", "allowedDays");

    /** Whom rules named before they left (V45). */
    private static final DepartedAgents.Table DEPARTED = new DepartedAgents.Table("guardrail_rule_departures",
            "rule_id");

    private final GuardrailRepository rules;
    private final DepartedAgents departed;
    private final OrganizationService organizations;
    private final AgentService agents;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    GuardrailService(GuardrailRepository rules, DepartedAgents departed, OrganizationService organizations,
            AgentService agents, ScopedTransactions transactions, AuditLog audit) {
        this.rules = rules;
        this.departed = departed;
        this.organizations = organizations;
        this.agents = agents;
        this.transactions = transactions;
        this.audit = audit;
    }

    CursorPage<GuardrailRule> list(OrgCallContext context, PageRequest page) {
        return transactions.read(context.scope(), () -> rules.list(context.scope(), page));
    }

    /**
     * The baseline's enabled rules, for anyone with the guardrails page whatever their org:
     * read in the default org's scope, and shown without it.
     */
    CursorPage<BaselineRule> baseline(PageRequest page) {
        OrgScope platform = OrgScope.of(DefaultOrg.ID);
        CursorPage<GuardrailRule> rules = transactions.read(platform, () -> this.rules.baselinePage(platform, page));
        return rules.map(BaselineRule::of);
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
        boolean enabled = !fields.containsKey("enabled") || Fields.flag("enabled", fields.get("enabled"));
        boolean baseline = fields.containsKey("baseline") && Fields.flag("baseline", fields.get("baseline"));
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        OrgScope scope = context.scope();
        if (!scope.includes(orgId)) {
            throw ApiException.forbidden("Pick one of your organizations as the org context to add a rule to.");
        }
        if (baseline) {
            requireBaselineOwner(context);
            checkBaseline(orgId, appliesTo);
        }
        return transactions.write(scope, () -> {
            agents.holdAgentsOf(scope, orgId, appliesTo);
            organizations.lock(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            if (rules.countIn(scope, orgId) >= MAX_PER_ORG) {
                throw ApiException.conflict("This organization has " + MAX_PER_ORG + " guardrail rules, the most it "
                        + "may have: delete or merge some first.");
            }
            UUID id = UUID.randomUUID();
            refuseTakenName(scope, orgId, name, id);
            GuardrailRule created = GuardrailRule.of(id, orgId, name, definition, enabled, appliesTo, baseline, 1,
                    context.at(), context.at());
            rules.insert(scope, created, context.actor().label());
            changed(scope, null, created);
            audit.record(context, orgId, "guardrail_rule.created", "guardrail_rule", id, null, created.auditState());
            return created;
        });
    }

    GuardrailRule update(OrgCallContext context, UUID id, Map<String, Object> body) {
        Map<String, Object> fields = checkedFields(body);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            // The agents it is to name before the rule itself (a rule's org never changes), in
            // the order an agent's move takes them.
            UUID orgId = rules.find(scope, id).orElseThrow(GuardrailService::notFound).orgId();
            AppliesTo named = fields.containsKey("appliesTo") ? AppliesTo.parse(fields.get("appliesTo")) : null;
            if (named != null) {
                agents.holdAgentsOf(scope, orgId, named);
            }
            GuardrailRule before = rules.lock(scope, id).orElseThrow(GuardrailService::notFound);
            String name = fields.containsKey("name") ? Fields.required("name", text(fields, "name"), 200)
                    : before.name();
            RuleDefinition definition = RuleDefinition.read(fields, before.definition());
            AppliesTo appliesTo = named != null ? named : before.appliesTo();
            boolean enabled = fields.containsKey("enabled") ? Fields.flag("enabled", fields.get("enabled"))
                    : before.enabled();
            boolean baseline = fields.containsKey("baseline") ? Fields.flag("baseline", fields.get("baseline"))
                    : before.baseline();
            if (baseline || before.baseline()) {
                requireBaselineOwner(context);
            }
            if (baseline) {
                checkBaseline(before.orgId(), appliesTo);
            }
            if (enabled && !appliesTo.all() && appliesTo.agentIds().isEmpty()) {
                throw ApiException.badRequest("appliesTo", "It names no agent any more (those it named have left): "
                        + "give appliesTo agents or \"all\" to switch it on.");
            }
            refuseTakenName(scope, before.orgId(), name, id);
            GuardrailRule same = GuardrailRule.of(id, before.orgId(), name, definition, enabled, appliesTo, baseline,
                    before.version(), before.createdAt(), before.updatedAt());
            if (same.equals(before)) {
                return before;
            }
            GuardrailRule after = GuardrailRule.of(id, before.orgId(), name, definition, enabled, appliesTo, baseline,
                    before.version() + 1, before.createdAt(), context.at());
            rules.update(scope, before, after, context.actor().label());
            if (!after.appliesTo().equals(before.appliesTo()) || after.enabled() != before.enabled()) {
                // Whom it applies to, and whether it is on, are a person's choice now: an agent's
                // return no longer changes them.
                departed.forget(DEPARTED, scope, id, null);
            }
            changed(scope, before, after);
            audit.record(context, before.orgId(), "guardrail_rule.updated", "guardrail_rule", id,
                    before.auditState(), after.auditState());
            return after;
        });
    }

    void delete(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            GuardrailRule before = rules.lock(scope, id).orElseThrow(GuardrailService::notFound);
            if (before.baseline()) {
                requireBaselineOwner(context);
            }
            rules.delete(scope, id);
            changed(scope, before, null);
            audit.record(context, before.orgId(), "guardrail_rule.deleted", "guardrail_rule", id,
                    before.auditState(), null);
            return null;
        });
    }

    /**
     * A rule of the org an agent left (moved or deleted) no longer names it: a new version,
     * on the audit trail. A rule that named no other agent is switched off, rather than kept
     * enabled while it applies to nobody. The rule remembers whom it named (and whether that
     * switched it off), for the agent's return; a deleted agent's memory goes with it.
     */
    @Override
    public void agentLeft(OrgCallContext context, UUID agentId, UUID fromOrg) {
        OrgScope scope = context.scope();
        for (UUID id : rules.naming(scope, fromOrg, agentId)) {
            GuardrailRule before = rules.lock(scope, id).orElse(null);
            if (before == null || !before.appliesTo().agentIds().contains(agentId)) {
                // Deleted, or changed while the lock was awaited so that it no longer names it
                // ("all", other agents, the baseline): that change stands.
                continue;
            }
            List<UUID> left = before.appliesTo().agentIds().stream().filter(a -> !a.equals(agentId)).toList();
            GuardrailRule after = GuardrailRule.of(id, fromOrg, before.name(), before.definition(),
                    before.enabled() && !left.isEmpty(), new AppliesTo(false, left), false, before.version() + 1,
                    before.createdAt(), context.at());
            rules.update(scope, before, after, context.actor().label());
            departed.departed(DEPARTED, scope, fromOrg, id, agentId, before.enabled() && !after.enabled());
            changed(scope, before, after);
            audit.record(context, fromOrg, "guardrail_rule.updated", "guardrail_rule", id, before.auditState(),
                    Map.of("state", after.auditState(), "reason", AgentDeparture.reason(agentId, left.isEmpty())));
        }
    }

    /**
     * An agent back in an org whose rules named it when it left: each names it again, and one
     * its agents' leaving had switched off is switched on again, as the organization had set
     * it. A new version, on the audit trail. Rules a person has changed since are left alone.
     */
    @Override
    public void agentArrived(OrgCallContext context, UUID agentId, UUID toOrg) {
        OrgScope scope = context.scope();
        for (UUID id : departed.of(DEPARTED, scope, toOrg, agentId)) {
            GuardrailRule before = rules.lock(scope, id).orElse(null);
            if (before == null || before.appliesTo().all()
                    || !departed.remembers(DEPARTED, scope, before.id(), agentId)) {
                // Deleted, or changed by a person, while the lock was awaited: their change stands.
                departed.forget(DEPARTED, scope, id, agentId);
                continue;
            }
            boolean switchOn = !before.enabled() && departed.switchedOff(DEPARTED, scope, before.id());
            GuardrailRule after = GuardrailRule.of(before.id(), toOrg, before.name(), before.definition(),
                    before.enabled() || switchOn, before.appliesTo().with(agentId), false, before.version() + 1,
                    before.createdAt(), context.at());
            rules.update(scope, before, after, context.actor().label());
            departed.forget(DEPARTED, scope, before.id(), agentId);
            if (switchOn) {
                departed.switchedOn(DEPARTED, scope, before.id());
            }
            changed(scope, before, after);
            audit.record(context, toOrg, "guardrail_rule.updated", "guardrail_rule", before.id(),
                    before.auditState(), Map.of("state", after.auditState(), "reason",
                            AgentArrival.reason(agentId, switchOn)));
        }
    }

    private static Map<String, Object> checkedFields(Map<String, Object> body) {
        PatchBody fields = new PatchBody(body).aliased(ALIASES);
        fields.allowOnly(FIELDS, READ_ONLY);
        return fields.fields();
    }

    private static String text(Map<String, Object> fields, String field) {
        return new PatchBody(fields).text(field);
    }

    /**
     * Counts a change of a rule (null before it was created, null after it was deleted) in
     * its org's rule set and, where it is or was a baseline rule, in the baseline.
     */
    private void changed(OrgScope scope, GuardrailRule before, GuardrailRule after) {
        GuardrailRule rule = after != null ? after : before;
        rules.changed(scope, rule.orgId());
        if ((before != null && before.baseline()) || (after != null && after.baseline())) {
            rules.baselineChanged();
        }
    }

    /** A baseline rule binds every organization: only owners mark, change or delete one. */
    private static void requireBaselineOwner(OrgCallContext context) {
        if (!context.caller().owner()) {
            throw ApiException.forbidden("Only owners may mark, change or delete a rule of the platform baseline, "
                    + "which applies to every organization.");
        }
    }

    private static void checkBaseline(UUID orgId, AppliesTo appliesTo) {
        if (!DefaultOrg.ID.equals(orgId)) {
            throw ApiException.badRequest("baseline", "Only rules of the default organization can apply to every "
                    + "organization: pick the default organization as the org context.");
        }
        if (!appliesTo.all()) {
            throw ApiException.badRequest("appliesTo", "A baseline rule applies to every agent of every "
                    + "organization: leave appliesTo as \"all\".");
        }
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
