package io.tenantry.policy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentArrival;
import io.tenantry.agent.AgentDeparture;
import io.tenantry.agent.AppliesTo;
import io.tenantry.agent.DepartedAgents;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
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
 * Each org's policy set. Anyone with the guardrails page edits the policies of the orgs in
 * their scope (a bound user, their own org's); a policy names only agents of its own org,
 * and an agent reads only the enabled policies of the org holding it now.
 */
@Service
class PolicyService implements AgentDeparture, AgentArrival {

    /** Enough for any real rulebook, and it bounds what an agent downloads at once. */
    static final int MAX_PER_ORG = 100;
    static final int MAX_CONTENT_BYTES = 64 * 1024;

    private static final Set<String> PATCHABLE = Set.of("name", "category", "enforcement", "content", "appliesTo",
            "enabled");
    private static final Map<String, String> ALIASES = Map.of("applies_to", "appliesTo");
    private static final Map<String, String> REFUSED = PatchBody.readOnly("id", "orgId", "version", "createdAt",
            "updatedAt");

    /** Whom policies named before they left (V45). */
    private static final DepartedAgents.Table DEPARTED = new DepartedAgents.Table("policy_departures", "policy_id");

    private final PolicyRepository policies;
    private final DepartedAgents departed;
    private final OrganizationService organizations;
    private final AgentService agents;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    PolicyService(PolicyRepository policies, DepartedAgents departed, OrganizationService organizations,
            AgentService agents, ScopedTransactions transactions, AuditLog audit) {
        this.policies = policies;
        this.departed = departed;
        this.organizations = organizations;
        this.agents = agents;
        this.transactions = transactions;
        this.audit = audit;
    }

    CursorPage<Policy> list(OrgCallContext context, PageRequest page) {
        return transactions.read(context.scope(), () -> policies.list(context.scope(), page));
    }

    Policy get(OrgCallContext context, UUID id) {
        return transactions.read(context.scope(), () -> policies.find(context.scope(), id)
                .orElseThrow(PolicyService::notFound));
    }

    CursorPage<PolicyVersion> versions(OrgCallContext context, UUID id, PageRequest page) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            policies.find(scope, id).orElseThrow(PolicyService::notFound);
            return policies.versions(scope, id, page);
        });
    }

    /** What the agent is to follow now: the enabled policies of its org that apply to it. */
    List<Policy> ofAgent(OrgCallContext context, AgentPrincipal agent) {
        return transactions.read(context.scope(), () -> policies.applyingTo(context.scope(), agent.orgId(),
                agent.agentId()));
    }

    Policy create(OrgCallContext context, NewPolicy request) {
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String name = Fields.required("name", request.name(), 200);
        String category = oneOf("category", request.category(), Policy.CATEGORIES);
        String enforcement = oneOf("enforcement", request.enforcement(), Policy.ENFORCEMENTS);
        String content = content(request.content());
        AppliesTo appliesTo = request.appliesTo() == null ? AppliesTo.EVERY_AGENT : AppliesTo.parse(request.appliesTo());
        boolean enabled = request.enabled() == null || request.enabled();
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        OrgScope scope = context.scope();
        if (!scope.includes(orgId)) {
            throw ApiException.forbidden("Pick one of your organizations as the org context to add a policy to.");
        }
        return transactions.write(scope, () -> {
            agents.holdAgentsOf(scope, orgId, appliesTo);
            organizations.lock(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            if (policies.countIn(scope, orgId) >= MAX_PER_ORG) {
                throw ApiException.conflict("This organization has " + MAX_PER_ORG + " policies, the most it may "
                        + "have: delete or merge some first.");
            }
            UUID id = UUID.randomUUID();
            refuseTakenName(scope, orgId, name, id);
            Policy created = new Policy(id, orgId, name, category, enforcement, content, appliesTo, enabled, 1,
                    context.at(), context.at());
            policies.insert(scope, created, context.actor().label());
            audit.record(context, orgId, "policy.created", "policy", id, null, created.auditState());
            return created;
        });
    }

    Policy update(OrgCallContext context, UUID id, PatchBody body) {
        PatchBody patch = body.aliased(ALIASES);
        patch.allowOnly(PATCHABLE, REFUSED);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            // The agents it is to name before the policy itself (a policy's org never changes),
            // in the order an agent's move takes them.
            UUID orgId = policies.find(scope, id).orElseThrow(PolicyService::notFound).orgId();
            AppliesTo named = patch.has("appliesTo") ? AppliesTo.parse(patch.fields().get("appliesTo")) : null;
            if (named != null) {
                agents.holdAgentsOf(scope, orgId, named);
            }
            Policy before = policies.lock(scope, id).orElseThrow(PolicyService::notFound);
            String name = patch.has("name") ? Fields.required("name", patch.text("name"), 200) : before.name();
            String category = patch.has("category") ? oneOf("category", patch.text("category"), Policy.CATEGORIES)
                    : before.category();
            String enforcement = patch.has("enforcement")
                    ? oneOf("enforcement", patch.text("enforcement"), Policy.ENFORCEMENTS) : before.enforcement();
            String content = patch.has("content") ? content(patch.text("content")) : before.content();
            AppliesTo appliesTo = named != null ? named : before.appliesTo();
            boolean enabled = patch.has("enabled") ? Fields.flag("enabled", patch.fields().get("enabled"))
                    : before.enabled();
            if (enabled && !appliesTo.all() && appliesTo.agentIds().isEmpty()) {
                throw ApiException.badRequest("appliesTo", "It names no agent any more (those it named have left): "
                        + "give appliesTo agents or \"all\" to switch it on.");
            }
            refuseTakenName(scope, before.orgId(), name, id);
            int version = content.equals(before.content()) ? before.version() : before.version() + 1;
            Policy unchangedTime = new Policy(id, before.orgId(), name, category, enforcement, content, appliesTo,
                    enabled, version, before.createdAt(), before.updatedAt());
            if (unchangedTime.equals(before)) {
                return before;
            }
            Policy after = unchangedTime.changedAt(context.at());
            policies.update(scope, before, after, context.actor().label());
            if (!after.appliesTo().equals(before.appliesTo()) || after.enabled() != before.enabled()) {
                // Whom it applies to, and whether it is on, are a person's choice now: an agent's
                // return no longer changes them.
                departed.forget(DEPARTED, scope, id, null);
            }
            audit.record(context, before.orgId(), "policy.updated", "policy", id, before.auditState(),
                    after.auditState());
            return after;
        });
    }

    void delete(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            Policy before = policies.lock(scope, id).orElseThrow(PolicyService::notFound);
            policies.delete(scope, id);
            audit.record(context, before.orgId(), "policy.deleted", "policy", id, before.auditState(), null);
            return null;
        });
    }

    /**
     * A policy of the org an agent left (moved or deleted) no longer names it, on the audit
     * trail; one that named no other agent is switched off rather than applying to nobody.
     * It remembers whom it named (and whether that switched it off), for the agent's return.
     */
    @Override
    public void agentLeft(OrgCallContext context, UUID agentId, UUID fromOrg) {
        OrgScope scope = context.scope();
        for (UUID id : policies.naming(scope, fromOrg, agentId)) {
            Policy before = policies.lock(scope, id).orElse(null);
            if (before == null || !before.appliesTo().agentIds().contains(agentId)) {
                // Deleted, or changed while the lock was awaited so that it no longer names it: that stands.
                continue;
            }
            List<UUID> left = before.appliesTo().agentIds().stream().filter(a -> !a.equals(agentId)).toList();
            Policy after = new Policy(id, fromOrg, before.name(), before.category(), before.enforcement(),
                    before.content(), new AppliesTo(false, left), before.enabled() && !left.isEmpty(),
                    before.version(), before.createdAt(), context.at());
            policies.update(scope, before, after, context.actor().label());
            departed.departed(DEPARTED, scope, fromOrg, id, agentId, before.enabled() && !after.enabled());
            audit.record(context, fromOrg, "policy.updated", "policy", id, before.auditState(),
                    Map.of("state", after.auditState(), "reason", AgentDeparture.reason(agentId, left.isEmpty())));
        }
    }

    /**
     * An agent back in an org whose policies named it when it left: each names it again, and
     * one its agents' leaving had switched off is switched on again. On the audit trail;
     * policies a person has changed since are left alone.
     */
    @Override
    public void agentArrived(OrgCallContext context, UUID agentId, UUID toOrg) {
        OrgScope scope = context.scope();
        for (UUID id : departed.of(DEPARTED, scope, toOrg, agentId)) {
            Policy before = policies.lock(scope, id).orElse(null);
            if (before == null || before.appliesTo().all()
                    || !departed.remembers(DEPARTED, scope, before.id(), agentId)) {
                // Deleted, or changed by a person, while the lock was awaited: their change stands.
                departed.forget(DEPARTED, scope, id, agentId);
                continue;
            }
            boolean switchOn = !before.enabled() && departed.switchedOff(DEPARTED, scope, before.id());
            Policy after = new Policy(before.id(), toOrg, before.name(), before.category(), before.enforcement(),
                    before.content(), before.appliesTo().with(agentId), before.enabled() || switchOn, before.version(),
                    before.createdAt(), context.at());
            policies.update(scope, before, after, context.actor().label());
            departed.forget(DEPARTED, scope, before.id(), agentId);
            if (switchOn) {
                departed.switchedOn(DEPARTED, scope, before.id());
            }
            audit.record(context, toOrg, "policy.updated", "policy", before.id(), before.auditState(),
                    Map.of("state", after.auditState(), "reason", AgentArrival.reason(agentId, switchOn)));
        }
    }

    private void refuseTakenName(OrgScope scope, UUID orgId, String name, UUID id) {
        if (policies.nameTaken(scope, orgId, name, id)) {
            throw ApiException.conflict("name", "This organization already has a policy named '" + name + "'.");
        }
    }

    private static String content(String value) {
        String content = Fields.optional("content", value, MAX_CONTENT_BYTES);
        if (content == null) {
            throw ApiException.badRequest("content", "content is required: the policy's text, in Markdown.");
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > MAX_CONTENT_BYTES) {
            throw ApiException.badRequest("content", "content must be at most 64 KB (65,536 bytes in UTF-8).");
        }
        return content;
    }

    private static String oneOf(String field, String value, Set<String> allowed) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, field + " is required: one of " + String.join(", ",
                    new java.util.TreeSet<>(allowed)) + ".");
        }
        if (!allowed.contains(value)) {
            throw ApiException.badRequest(field, field + " must be one of " + String.join(", ",
                    new java.util.TreeSet<>(allowed)) + ".");
        }
        return value;
    }

    static ApiException notFound() {
        return ApiException.notFound("The policy");
    }
}
