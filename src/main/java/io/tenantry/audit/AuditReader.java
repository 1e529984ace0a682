package io.tenantry.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.tenantry.tenancy.Caller;

/**
 * What of the audit log a user who is not an operator may read. The log gathers every
 * page's changes, and a page permission holds wherever its data would show: an event is
 * shown only to a user given the page its data belongs to (by the family of its action, the
 * part before the first dot), and the amounts in an event only to a user given their page:
 * rates to Billing, the agency's side (token cost, margin, budgets) to costs, whose are
 * also the events of budgets crossed. A family not listed here is shown to operators alone,
 * so a new kind of event stays hidden from client users until someone decides which page it
 * belongs to.
 */
final class AuditReader {

    private static final Map<String, String> PAGE_OF_FAMILY = Map.ofEntries(
            Map.entry("agent", "agents"), Map.entry("agent_key", "agents"),
            Map.entry("organization", "organizations"), Map.entry("gateway", "organizations"),
            Map.entry("user", "users"), Map.entry("auth", "users"),
            Map.entry("guardrail_rule", "guardrails"), Map.entry("policy", "guardrails"),
            Map.entry("credential", "vault"), Map.entry("knowledge", "knowledge"), Map.entry("memory", "memory"),
            Map.entry("billing", "billing"), Map.entry("usage", "billing"));

    /** The fields of agents' and organizations' states that are Billing's to show. */
    private static final Set<String> RATES = Set.of("billingRatePerAgent", "billingRateOverride");

    /** The fields that tell what the agency pays, in any event's state: the costs permission's to show. */
    private static final Set<String> COSTS = Set.of("cost", "costUsd", "margin", "fxRate", "monthlyBudget", "budget",
            "budgetUsed", "budgetAlertThresholds");

    /** Billing's events that are about costs alone: a budget crossed says what was spent against what. */
    private static final List<String> COST_ACTIONS = List.of("billing.budget_alert", "billing.agent_budget_alert");

    private AuditReader() {
    }

    /** The families of actions whose events {@code caller} may read, sorted. */
    static List<String> familiesShownTo(Caller caller) {
        return PAGE_OF_FAMILY.entrySet().stream().filter(family -> caller.hasPage(family.getValue()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The actions whose events {@code caller} may not read, though their family is shown to it. */
    static List<String> actionsHiddenFrom(Caller caller) {
        return caller.seesCosts() ? List.of() : COST_ACTIONS;
    }

    /** The fields of events' states that {@code caller} may not read: none for a caller who sees costs. */
    static Set<String> amountsHiddenFrom(Caller caller) {
        if (caller.seesCosts()) {
            return Set.of();
        }
        return caller.seesBilling() ? COSTS : Stream.concat(RATES.stream(), COSTS.stream()).collect(Collectors.toSet());
    }

    /** The event with every field named {@code hidden} in its states (at any depth) read as null. */
    static AuditEvent without(AuditEvent event, Set<String> hidden) {
        return new AuditEvent(event.id(), event.orgId(), event.orgName(), event.occurredAt(), event.actorType(),
                event.actorId(), event.actorLabel(), event.action(), event.targetType(), event.targetId(),
                event.targetName(), without(event.before(), hidden), without(event.after(), hidden),
                event.requestId(), event.platform());
    }

    private static Object without(Object state, Set<String> hidden) {
        if (state instanceof Map<?, ?> fields) {
            Map<Object, Object> kept = new LinkedHashMap<>();
            fields.forEach((name, value) -> kept.put(name, hidden.contains(name) ? null : without(value, hidden)));
            return kept;
        }
        if (state instanceof List<?> items) {
            return items.stream().map(item -> without(item, hidden)).toList();
        }
        return state;
    }
}
