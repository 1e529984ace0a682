package io.tenantry.agent;

import java.util.Map;

import io.tenantry.tenancy.CallerConfirmation;

/**
 * A kept agent principal's confirmation, carried by a statement its request runs anyway: a
 * boolean SQL expression, true while the key still has exactly that principal, and its
 * parameters (named {@code kc_*}). The repository running the statement selects it as a
 * column; {@link #verify} refuses the request when it was false, so the request's one round
 * trip also stands in for the key lookup ({@link RecentAgentKeys}).
 */
public record KeyConfirmation(AgentPrincipal principal, String expression, Map<String, Object> parameters,
        String hold) {

    /** The same condition, for a transaction to evaluate first, in the round trip that sets its scope. */
    public CallerConfirmation first() {
        return new CallerConfirmation(expression, parameters);
    }

    /**
     * The same, holding the principal from the confirmation to the end of the transaction: a
     * revoke, a pause, a move or the org's deactivation waits for it to commit (PostgreSQL
     * V36; on H2 writes take turns anyway). For a write whose effect is the principal's
     * permission, as the record of a credential read before its value is given.
     */
    public CallerConfirmation held() {
        return new CallerConfirmation(expression, parameters, hold);
    }

    /** Refuses with {@link AgentKeyChanged} when the expression was false. */
    public void verify(boolean confirmed) {
        if (!confirmed) {
            throw new AgentKeyChanged(principal);
        }
    }
}
