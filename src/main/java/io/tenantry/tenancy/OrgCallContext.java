package io.tenantry.tenancy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import io.tenantry.api.ApiException;

/**
 * What every service call about org data receives: the caller, the scope of this request
 * (narrowed by the org context), the org the context selected (if any), and the request's
 * id and time. Writes record exactly these in the audit log.
 */
public record OrgCallContext(Caller caller, OrgScope scope, UUID selectedOrg, String requestId, Instant at) {

    /** Times are kept to the microsecond, as both databases store them. */
    public OrgCallContext {
        at = at.truncatedTo(ChronoUnit.MICROS);
    }

    public Optional<UUID> selected() {
        return Optional.ofNullable(selectedOrg);
    }

    public OrgScope reach() {
        return caller.reach();
    }

    public Actor actor() {
        return caller.actor();
    }

    /**
     * The same call acting in {@code scope}: what a service opens its transaction with when
     * the work runs in the caller's reach or platform-wide rather than in the picked context,
     * so that the transaction, the repositories and the audit log all see one scope.
     */
    public OrgCallContext within(OrgScope scope) {
        return scope.equals(this.scope) ? this : new OrgCallContext(caller, scope, selectedOrg, requestId, at);
    }

    /**
     * The same call at {@code earliest} if its own time is not after it: for a change that
     * waited on a lock behind another one of the same thing, and must be recorded after it.
     */
    public OrgCallContext notBefore(Instant earliest) {
        return at.isAfter(earliest) ? this : new OrgCallContext(caller, scope, selectedOrg, requestId, earliest);
    }

    /**
     * The same call timed after {@code lastChange}, the last change of the row it changes,
     * read under that row's lock: changes of one row queue on its lock, and one that waited
     * is recorded (in the row, the audit log, the intervention log) after the one it waited
     * for, whenever each was asked for, so that the logs read in the order the changes took
     * effect and the newest entry is the row as it is.
     */
    public OrgCallContext after(Instant lastChange) {
        return notBefore(lastChange.plus(1, ChronoUnit.MICROS));
    }

    /**
     * The same call by {@code caller} read anew (an agent whose key changed while its report
     * waited): as the org context filter would have made it, a caller locked to an org acts
     * in that org.
     */
    public OrgCallContext by(Caller caller) {
        UUID locked = caller.lockedOrg().orElse(null);
        return new OrgCallContext(caller, locked == null ? scope : OrgScope.of(locked), locked == null ? selectedOrg
                : locked, requestId, at);
    }

    /**
     * Refuses (400 on orgId, with {@code refusal}) a call made in an org context for work that
     * acts on every organization the caller reaches at once (closing a month, a rerate): asked
     * in one org's context, it would change the others' bills (outside tester).
     */
    public void requireNoNarrowing(String refusal) {
        if (!scope.equals(reach())) {
            throw ApiException.badRequest("orgId", refusal);
        }
    }

    /** Refuses anyone but an owner or admin: running the platform stays with them. */
    public void requireOperator(String what) {
        if (!caller.operator()) {
            throw ApiException.forbidden("Only owners and admins may " + what + ".");
        }
    }

    /**
     * A context for work done without a logged-in principal (start-up, a login attempt),
     * in one stated scope, recorded under {@code actor}.
     */
    public static OrgCallContext unattended(Actor actor, boolean operator, OrgScope scope, String requestId,
            Instant at) {
        return new OrgCallContext(new Unattended(actor, operator), scope, null, requestId, at);
    }

    private record Unattended(Actor actor, boolean operator) implements Caller {
        @Override
        public boolean owner() {
            return operator;
        }

        @Override
        public Optional<UUID> lockedOrg() {
            return Optional.empty();
        }
    }
}
