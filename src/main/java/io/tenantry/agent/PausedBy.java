package io.tenantry.agent;

/**
 * Who paused an agent, which decides who may resume it: a pause of the organization's own
 * (its users', its rules') any of its users may lift; the operator's, or a platform baseline
 * rule's, only an owner or admin. A client user must not undo what the operator holds.
 */
public enum PausedBy {
    organization, operator, platform_rule;

    /** Who a guardrail rule's pause is: a baseline rule's is the platform's, an org's own rule's the org's. */
    public static PausedBy rule(boolean baseline) {
        return baseline ? platform_rule : organization;
    }

    /** Whether a pause of this kind holds against the organization's own users. */
    boolean holdsAgainstTheOrganization() {
        return this != organization;
    }

    static PausedBy read(String stored) {
        return stored == null ? null : valueOf(stored);
    }
}
