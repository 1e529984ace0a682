package io.tenantry.agent;

/**
 * A report was made on an agent principal that no longer holds: its key was revoked, or its
 * agent moved, paused or renamed, since the principal was read. The report is not stored;
 * the caller reads the principal anew and decides again.
 */
public class AgentKeyChanged extends RuntimeException {

    private final transient AgentPrincipal stale;

    public AgentKeyChanged(AgentPrincipal stale) {
        super("agent key " + stale.keyId() + " changed since it was read", null, false, false);
        this.stale = stale;
    }

    public AgentPrincipal stale() {
        return stale;
    }
}
