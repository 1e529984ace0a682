package io.tenantry.agent;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.BillingRate;
import io.tenantry.organization.MonthlyBudget;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Agents and where they serve. Reads are narrowed by the org context; moving an agent is a
 * platform operation across orgs, so assignment works in the operator's reach.
 */
@Service
public class AgentService {

    private static final Set<String> PATCHABLE = Set.of("name", "email", "description", "model",
            "billingRateOverride", "monthlyBudget");
    private static final Map<String, String> ALIASES = Map.of("billing_rate_override", "billingRateOverride",
            "monthly_budget", "monthlyBudget", "client_org_id", "clientOrgId");
    private static final Map<String, String> REFUSED = refusals();

    private static Map<String, String> refusals() {
        Map<String, String> refused = new java.util.HashMap<>(PatchBody.readOnly("id", "clientOrgName",
                "effectiveBillingRate", "clientOrgCurrency", "effectiveStatus", "createdAt", "updatedAt"));
        refused.put("clientOrgId", "Move an agent with POST /api/agents/{id}/assign-org, not by editing it.");
        refused.put("status", "An agent's status changes through POST /api/agents/{id}/pause, /resume or /stop, with "
                + "a reason, or by a guardrail rule: never by editing it.");
        return Map.copyOf(refused);
    }

    private final AgentRepository agents;
    private final AgentKeyRepository keys;
    private final AssignmentHistory history;
    private final AgentRateHistory rates;
    private final OrganizationService organizations;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final AssignmentLock assignmentLock;

    /** Looked up when asked: the features that hold something about an agent depend on this service. */
    private final ObjectProvider<AgentDeparture> departures;
    private final ObjectProvider<AgentArrival> arrivals;
    private final ObjectProvider<AgentMemoryHolder> memory;

    AgentService(AgentRepository agents, AgentKeyRepository keys, AssignmentHistory history, AgentRateHistory rates,
            OrganizationService organizations, ScopedTransactions transactions, AuditLog audit,
            AssignmentLock assignmentLock, ObjectProvider<AgentDeparture> departures,
            ObjectProvider<AgentArrival> arrivals, ObjectProvider<AgentMemoryHolder> memory) {
        this.assignmentLock = assignmentLock;
        this.departures = departures;
        this.arrivals = arrivals;
        this.memory = memory;
        this.agents = agents;
        this.keys = keys;
        this.history = history;
        this.rates = rates;
        this.organizations = organizations;
        this.transactions = transactions;
        this.audit = audit;
    }

    public CursorPage<Agent> list(OrgCallContext context, String search, PageRequest page) {
        String term = Fields.optional("q", search, 200);
        CursorPage<Agent> found = agents.list(context.scope(), term, page);
        return context.caller().seesCosts() ? found : found.map(agent -> agent.asSeenBy(context.caller()));
    }

    /**
     * Which org held each of these agents when, within {@code scope}; billing attributes
     * usage with it. Unknown agents are missing from the map. Must run inside a scoped
     * transaction.
     */
    public Pipeline.Result<java.util.Map<UUID, OrgTimeline>> timelines(Pipeline pipeline, OrgScope scope,
            java.util.Collection<UUID> agentIds) {
        return agentIds.isEmpty() ? Pipeline.Result.of(java.util.Map.of())
                : history.timelines(pipeline, scope, agentIds);
    }

    /** The agents that left this org after {@code since}. Must run inside a scoped transaction. */
    public Departures departuresAfter(OrgScope scope, UUID orgId, java.time.Instant since) {
        return history.departuresAfter(scope, orgId, since);
    }

    /**
     * Which org held which agent when, for the orgs of {@code scope}, up to {@code before}.
     * Must run inside a scoped transaction.
     */
    public java.util.List<AgentHolding> holdings(OrgScope scope, java.time.Instant before) {
        return history.holdings(scope, before);
    }

    /** The agents' rate overrides recorded in the orgs of {@code scope} up to {@code before}, oldest first. */
    public java.util.List<AgentRate> rateHistory(OrgScope scope, java.time.Instant before) {
        return rates.of(scope, before);
    }

    /**
     * Refuses an {@code appliesTo} that names an agent {@code orgId} does not hold now (one of
     * another org, or none): what an org's policies and rules may name. Locks those it names
     * to the end of the transaction of {@code scope} it must run in, so that none of them
     * leaves the org before what names it commits (its departure then finds it, and takes it
     * out). Must come first in the transaction, before the org or what names the agents is
     * locked: a move locks its agent before anything else, and the other order deadlocks.
     */
    public void holdAgentsOf(OrgScope scope, UUID orgId, AppliesTo appliesTo) {
        if (appliesTo.all()) {
            return;
        }
        java.util.List<UUID> named = appliesTo.agentIds();
        java.util.Set<UUID> held = named.isEmpty() ? java.util.Set.of() : agents.lockOf(scope, orgId, named);
        for (int i = 0; i < named.size(); i++) {
            if (!held.contains(named.get(i))) {
                throw ApiException.badRequest("appliesTo", "appliesTo[" + i + "] is not an agent of this "
                        + "organization.");
            }
        }
    }

    /** An agent with a monthly budget of its own, in the currency of the org that holds it. */
    public record Budgeted(UUID agentId, UUID orgId, java.math.BigDecimal monthlyBudget) {
    }

    /** Every agent within {@code scope} that has a monthly budget of its own. */
    public List<Budgeted> budgeted(OrgScope scope) {
        return agents.budgeted(scope);
    }

    /** The name of an agent and the org that holds it now. */
    public record HeldName(UUID orgId, String name) {
    }

    /** The names, and holding orgs, of those of these agents that exist within {@code scope}. */
    public Map<UUID, HeldName> names(OrgScope scope, java.util.Collection<UUID> ids) {
        return ids.isEmpty() ? Map.of() : agents.names(scope, ids);
    }

    /**
     * The agent, if it is within {@code scope}, locked until the transaction ends: what holds
     * it in its org while something is added to it. Must run inside a write transaction of
     * {@code scope}.
     */
    public java.util.Optional<Agent> lockWithin(OrgScope scope, UUID id) {
        return agents.lock(scope, id);
    }

    /**
     * The monthly budgets of those of {@code ids} that have one and lie within {@code scope},
     * read with the other statements of {@code pipeline}.
     */
    public Pipeline.Result<java.util.Map<UUID, java.math.BigDecimal>> monthlyBudgets(Pipeline pipeline, OrgScope scope,
            java.util.Collection<UUID> ids) {
        return ids.isEmpty() ? Pipeline.Result.of(java.util.Map.of()) : agents.monthlyBudgets(pipeline, scope, ids);
    }

    public java.util.Optional<Agent> findWithin(OrgScope scope, UUID id) {
        return agents.find(scope, id);
    }

    public Agent get(OrgCallContext context, UUID id) {
        return transactions.read(context.scope(), () -> agents.find(context.scope(), id).orElseThrow(() -> notFound()))
                .asSeenBy(context.caller());
    }

    public Agent create(OrgCallContext context, NewAgent request) {
        context.requireOperator("create agents");
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String name = Fields.required("name", request.name(), 200);
        String email = Fields.email("email", request.email());
        String description = Fields.optional("description", request.description(), 2000);
        String model = Fields.optional("model", request.model(), 100);
        String status = status(request.status() == null ? Agent.ACTIVE : request.status());
        BigDecimal override = BillingRate.parse("billingRateOverride", request.billingRateOverride());
        BigDecimal budget = MonthlyBudget.parse("monthlyBudget", request.monthlyBudget());
        UUID orgId = request.clientOrgId() != null ? request.clientOrgId()
                : context.selected().orElse(DefaultOrg.ID);
        if (!context.scope().includes(orgId)) {
            throw ApiException.forbidden("clientOrgId names an organization outside your current org context.");
        }
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            organizations.find(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            UUID id = UUID.randomUUID();
            if (email != null && agents.emailTaken(email, id)) {
                throw ApiException.conflict("email", "Another agent already uses the e-mail address " + email + ".");
            }
            // Counted first: the count's update waits for a deletion of the org and then finds it
            // gone (404) rather than the insert failing on its foreign key.
            organizations.agentsChanged(scope, orgId, 1);
            agents.insert(scope, id, orgId, name, email, description, model, status, override, budget, context.at());
            history.record(scope, Assignment.created(id, orgId, context.at(), context.actor().id(),
                    context.actor().label()));
            rates.record(scope, id, orgId, override, context.at());
            Agent created = agents.find(scope, id).orElseThrow();
            audit.record(context, orgId, "agent.created", "agent", id, null, created.auditState());
            return created;
        });
    }

    public Agent update(OrgCallContext context, UUID id, PatchBody body) {
        context.requireOperator("edit agents");
        PatchBody patch = body.aliased(ALIASES);
        patch.allowOnly(PATCHABLE, REFUSED);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            Agent before = agents.lock(scope, id).orElseThrow(() -> notFound());
            OrgCallContext call = context.after(before.updatedAt());
            String name = patch.has("name") ? Fields.required("name", patch.text("name"), 200) : before.name();
            String email = patch.has("email") ? Fields.email("email", patch.text("email")) : before.email();
            if (email != null && !email.equals(before.email()) && agents.emailTaken(email, id)) {
                throw ApiException.conflict("email", "Another agent already uses the e-mail address " + email + ".");
            }
            String description = patch.has("description")
                    ? Fields.optional("description", patch.text("description"), 2000) : before.description();
            String model = patch.has("model") ? Fields.optional("model", patch.text("model"), 100) : before.model();
            BigDecimal override = patch.has("billingRateOverride")
                    ? BillingRate.parse("billingRateOverride", patch.number("billingRateOverride"))
                    : before.billingRateOverride();
            BigDecimal budget = patch.has("monthlyBudget")
                    ? MonthlyBudget.parse("monthlyBudget", patch.number("monthlyBudget")) : before.monthlyBudget();
            boolean rateChanged = !java.util.Objects.equals(override, before.billingRateOverride());
            if (rateChanged || !java.util.Objects.equals(budget, before.monthlyBudget())) {
                // Amounts are in the org's currency: a change of currency (which refuses while an
                // agent has amounts of its own) waits for this one on the org's row, or this for it,
                // and the answer then names the currency they are billed in (outside tester: set
                // while the currency changed, 10.00 answered in EUR was billed as 10.00 USD).
                organizations.lock(scope, before.clientOrgId());
            }
            agents.update(scope, id, name, email, description, model, before.status(), override, budget,
                    call.at());
            if (rateChanged) {
                rates.record(scope, id, before.clientOrgId(), override, call.at());
            }
            Agent after = agents.find(scope, id).orElseThrow();
            audit.record(call, before.clientOrgId(), "agent.updated", "agent", id, before.auditState(),
                    after.auditState());
            return after;
        });
    }

    public void delete(OrgCallContext context, UUID id) {
        context.requireOperator("delete agents");
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            Agent before = agents.lock(scope, id).orElseThrow(() -> notFound());
            OrgCallContext call = afterItsLastAssignment(context, id);
            departures.orderedStream().forEach(d -> d.agentLeft(call, id, before.clientOrgId()));
            agents.delete(scope, id);
            organizations.agentsChanged(scope, before.clientOrgId(), -1);
            history.record(scope, Assignment.removed(id, before.clientOrgId(), call.at(), context.actor().id(),
                    context.actor().label()));
            audit.record(call, before.clientOrgId(), "agent.deleted", "agent", id, before.auditState(), null);
        });
    }

    /** What a person or a rule may do to an agent's status. */
    public enum StatusChange {
        pause, resume, stop
    }

    /**
     * Pauses, resumes or stops (pauses and revokes every key of) the agent, for {@code reason},
     * inside the caller's transaction (the one that records the intervention): the only ways
     * an agent's status changes after its creation. {@code by} is who acts: a pause the
     * operator or a baseline rule holds is not the organization's to lift (403), and the
     * operator's pause of an agent the organization paused becomes the operator's. Answers the
     * agent as it is after, or empty when there was nothing to change (already in that status;
     * for stop, also no open key).
     */
    public java.util.Optional<Agent> changeStatus(OrgCallContext context, UUID id, StatusChange change,
            PausedBy by, String reason) {
        OrgScope scope = context.scope();
        Agent before = agents.lock(scope, id).orElseThrow(() -> notFound());
        OrgCallContext call = context.after(before.updatedAt());
        PausedBy held = before.pausedBy();
        boolean heldAgainstTheOrganization = held != null && held.holdsAgainstTheOrganization();
        if (change == StatusChange.resume && heldAgainstTheOrganization && !by.holdsAgainstTheOrganization()) {
            throw ApiException.forbidden("The agent was paused by " + (held == PausedBy.operator
                    ? "the operator" : "a platform guardrail rule") + ": only an owner or admin can resume it.");
        }
        String status = change == StatusChange.resume ? Agent.ACTIVE : Agent.PAUSED;
        PausedBy pausedBy = change == StatusChange.resume ? null : heldAgainstTheOrganization ? held : by;
        List<AgentKey> revoked = change == StatusChange.stop ? keys.revokeAll(scope, id, call.at()) : List.of();
        if (status.equals(before.status()) && pausedBy == held && revoked.isEmpty()) {
            return java.util.Optional.empty();
        }
        agents.setStatus(scope, id, status, pausedBy, call.at());
        Agent after = agents.find(scope, id).orElseThrow();
        audit.record(call, before.clientOrgId(), change == StatusChange.pause ? "agent.paused"
                : change == StatusChange.resume ? "agent.resumed" : "agent.stopped", "agent", id,
                before.auditState(), Map.of("state", after.auditState(), "reason", reason, "keysRevoked",
                        revoked.size()));
        // Each key the stop revoked is on the record as one revoked by hand is.
        for (AgentKey key : revoked) {
            audit.record(call, before.clientOrgId(), "agent_key.revoked", "agent_key", key.id(), key,
                    new AgentKey(key.id(), key.agentId(), key.prefix(), key.createdAt(), call.at()));
        }
        return java.util.Optional.of(after);
    }

    /**
     * Moves the agent as {@code move} says, its memory kept or cleared as it says (keep when
     * null). Idempotent: an agent already there stays, memory and all, and no history row is
     * added. The agent is found in the org context, as on every other agent endpoint (outside
     * tester: in org A's context, B's agent and its memory could be pulled into A); the
     * organization it goes to, in the caller's reach.
     */
    public Agent assign(OrgCallContext context, UUID id, AgentMove move) {
        return move(context, id, move, true);
    }

    /**
     * As {@link #assign}, recorded at the context's own time rather than when it runs: for
     * replaying a history of moves (StatementExactnessTest plays years of them).
     */
    public Agent assignAsOf(OrgCallContext context, UUID id, AgentMove move) {
        return move(context, id, move, false);
    }

    private Agent move(OrgCallContext context, UUID id, AgentMove move, boolean now) {
        context.requireOperator("assign agents to organizations");
        UUID orgId = move.orgId();
        if (orgId == null) {
            throw ApiException.badRequest("orgId", "orgId is required.");
        }
        MemoryOnMove choice = MemoryOnMove.of(move.memory());
        OrgScope reach = context.reach();
        return transactions.write(reach, () -> {
            // A move happening now is stamped once usage being stored has committed
            // (AssignmentLock), not when it was asked for.
            assignmentLock.exclusive();
            Instant stamped = now ? Instant.now() : context.at();
            Agent before = agents.lock(reach, id).filter(a -> context.scope().includes(a.clientOrgId()))
                    .orElseThrow(() -> notFound());
            organizations.find(reach, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            if (before.clientOrgId().equals(orgId)) {
                if (choice == MemoryOnMove.clear) {
                    throw ApiException.conflict("memory", "The agent is already in this organization, so nothing "
                            + "moves and its memory stays: delete entries from its memory to forget them.");
                }
                if (move.restated() != null && !move.restated().sameAs(AgentMove.Amounts.of(before))) {
                    throw ApiException.conflict("billingRateOverride", "The agent is already in this organization, "
                            + "so nothing moves: change its amounts with PATCH /api/agents/" + id + ".");
                }
                return before;
            }
            // Both orgs' rows, locked (in id order) before their currencies are read: a change of
            // currency waits for the move, or the move for it, and then sees it.
            organizations.agentMoved(reach, before.clientOrgId(), orgId);
            AgentMove.Amounts amounts = amountsAfterMove(reach, before, orgId, move.restated());
            OrgCallContext call = afterItsLastAssignment(context.within(reach).notBefore(stamped), id);
            agents.moveTo(reach, id, orgId, call.at());
            if (before.pausedBy() == PausedBy.organization) {
                // Its first organization's pause is not the next one's to lift: the operator who
                // moved it while paused holds it now.
                agents.setStatus(reach, id, Agent.PAUSED, PausedBy.operator, call.at());
            }
            if (move.restated() != null) {
                agents.update(reach, id, before.name(), before.email(), before.description(), before.model(),
                        before.status(), amounts.billingRateOverride(), amounts.monthlyBudget(), call.at());
            }
            history.record(reach, Assignment.moved(id, before.clientOrgId(), orgId, call.at(), context.actor().id(),
                    context.actor().label()));
            rates.record(reach, id, orgId, amounts.billingRateOverride(), call.at());
            departures.orderedStream().forEach(d -> d.agentLeft(call, id, before.clientOrgId()));
            arrivals.orderedStream().forEach(a -> a.agentArrived(call, id, orgId));
            int entries = memory.stream().mapToInt(m -> m.agentMoved(reach, before, orgId, choice, call.at())).sum();
            Agent after = agents.find(reach, id).orElseThrow();
            // One event in each org, each naming only its own org: neither learns the other's id. Both
            // say what became of the agent's memory, which may hold the first org's information.
            audit.record(call, before.clientOrgId(), "agent.unassigned", "agent", id,
                    Map.of("clientOrgId", before.clientOrgId()), Map.of("memory", choice.done(), "memoryEntries",
                            entries));
            audit.record(call, orgId, "agent.assigned", "agent", id, null, after.auditStateOnArrival(choice, entries));
            return after;
        });
    }

    /**
     * The agent's amounts in its new organization: those restated with the move, else its
     * own, which are in its organization's currency and so may only go where that currency is
     * billed.
     */
    private AgentMove.Amounts amountsAfterMove(OrgScope reach, Agent before, UUID orgId,
            AgentMove.Amounts restated) {
        if (restated != null) {
            return restated;
        }
        AgentMove.Amounts own = AgentMove.Amounts.of(before);
        if (!own.any()) {
            return own;
        }
        Organization from = organizations.find(reach, before.clientOrgId()).orElseThrow();
        Organization to = organizations.find(reach, orgId).orElseThrow();
        if (from.currency() == to.currency()) {
            return own;
        }
        List<String> held = new java.util.ArrayList<>(2);
        if (own.billingRateOverride() != null) {
            held.add("a billing rate override of " + own.billingRateOverride().toPlainString() + " " + from.currency());
        }
        if (own.monthlyBudget() != null) {
            held.add("a monthly budget of " + own.monthlyBudget().toPlainString() + " " + from.currency());
        }
        throw ApiException.conflict("billingRateOverride", before.name() + " has " + String.join(" and ", held)
                + ", and " + to.name() + " bills in " + to.currency() + ". Send billingRateOverride and monthlyBudget "
                + "with the move, in " + to.currency() + " (null for none).");
    }

    /**
     * The call, timed after the agent's last recorded assignment: changes of one agent queue
     * on its row lock, and one that waited is recorded after the one it waited for, whenever
     * it was asked for, or billing would read the agent's orgs in the wrong order.
     */
    private OrgCallContext afterItsLastAssignment(OrgCallContext context, UUID id) {
        return history.latestAt(context.scope(), id).map(last -> context.notBefore(last.plus(1, ChronoUnit.MICROS)))
                .orElse(context);
    }

    public CursorPage<Assignment> assignments(OrgCallContext context, UUID id, PageRequest page) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            agents.find(scope, id).orElseThrow(() -> notFound());
            return history.of(scope, id, page);
        });
    }

    private static String status(String value) {
        if (!Agent.ACTIVE.equals(value) && !Agent.PAUSED.equals(value)) {
            throw ApiException.badRequest("status", "status must be 'active' or 'paused'.");
        }
        return value;
    }

    static ApiException notFound() {
        return ApiException.notFound("The agent");
    }
}
