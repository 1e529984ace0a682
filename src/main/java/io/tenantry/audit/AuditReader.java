package io.tenantry.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tenantry.tenancy.Caller;

/**
 * What of the audit log a user who is not an operator may read. The log gathers every
 * page's changes, and a page permission holds wherever its data would show: an event is
 * shown only to a user given the page its data belongs to (by the family of its action, the
 * part before the first dot), and the amounts in an event (rates, budgets) only to a user
 * given Billing. A family not listed here is shown to operators alone, so a new kind of
 * event stays hidden from client users until someone decides which page it belongs to.
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
    private static final Set<String> AMOUNTS = Set.of("billingRatePerAgent", "billingRateOverride", "monthlyBudget");

    private AuditReader() {
    }

    /** The families of actions whose events {@code caller} may read, sorted. */
    static List<String> familiesShownTo(Caller caller) {
        return PAGE_OF_FAMILY.entrySet().stream().filter(family -> caller.hasPage(family.getValue()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The event with every amount in its states (at any depth) read as null. */
    static AuditEvent withoutAmounts(AuditEvent event) {
        return new AuditEvent(event.id(), event.orgId(), event.orgName(), event.occurredAt(), event.actorType(),
                event.actorId(), event.actorLabel(), event.action(), event.targetType(), event.targetId(),
                event.targetName(), withoutAmounts(event.before()), withoutAmounts(event.after()),
                event.requestId(), event.platform());
    }

    private static Object withoutAmounts(Object state) {
        if (state instanceof Map<?, ?> fields) {
            Map<Object, Object> kept = new LinkedHashMap<>();
            fields.forEach((name, value) -> kept.put(name, AMOUNTS.contains(name) ? null : withoutAmounts(value)));
            return kept;
        }
        if (state instanceof List<?> items) {
            return items.stream().map(AuditReader::withoutAmounts).toList();
        }
        return state;
    }
}
