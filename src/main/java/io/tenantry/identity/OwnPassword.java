package io.tenantry.identity;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.crypto.SecretToken;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * A signed-in user changing their own password. The current password is asked for, so a
 * session left open on someone else's screen cannot take the account over, and its guesses
 * are throttled as sign-ins are (they count in the same buckets). The change ends every
 * session of the account, the one it was made in too, and opens a new one for the caller: a
 * token someone else had taken does not outlive the change, whichever session it was.
 */
@Service
class OwnPassword {

    private final UserRepository users;
    private final Sessions sessions;
    private final Passwords passwords;
    private final SignInThrottle throttle;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    OwnPassword(UserRepository users, Sessions sessions, Passwords passwords, SignInThrottle throttle,
            ScopedTransactions transactions, AuditLog audit) {
        this.users = users;
        this.sessions = sessions;
        this.passwords = passwords;
        this.throttle = throttle;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** Answers the caller's new session. */
    SecretToken change(UserPrincipal user, String sessionToken, String currentPassword, String newPassword,
            String clientAddress, String requestId) {
        if (currentPassword == null || currentPassword.isEmpty()) {
            throw ApiException.badRequest("currentPassword", "currentPassword is required.");
        }
        String newHash = passwords.hash("newPassword", newPassword);
        Instant now = Instant.now();
        UUID clientOrg = user.lockedOrg().orElse(null);
        OrgCallContext context = new OrgCallContext(user, OrgScope.of(clientOrg == null ? DefaultOrg.ID : clientOrg),
                null, requestId, now);
        SignInThrottle.Ticket ticket = throttle.admit(user.email(), clientAddress, now);
        // An account deleted since this request was let in: no guess was made at its password.
        String checked = users.passwordHash(user.id()).orElseThrow(OwnPassword::accountGone);
        if (!passwords.matches(currentPassword, checked)) {
            // A password an operator set meanwhile ended this session with the one it replaced:
            // the caller may well have typed the right one, and no guess is on the record.
            if (!sessions.isOpen(sessionToken)) {
                throw ApiException.unauthorized("Your session has ended: your password was changed meanwhile.");
            }
            transactions.write(context.scope(), () -> Login.auditAccount(audit, context, user.id(), clientOrg,
                    "user.password_change_failed", null, Map.of("clientAddress", clientAddress)));
            throw ApiException.badRequest("currentPassword", "currentPassword is wrong.");
        }
        if (passwords.matches(newPassword, checked)) {
            throw ApiException.badRequest("newPassword", "newPassword is the password you have now: choose another.");
        }
        OrgScope own = clientOrg == null ? OrgScope.allOrgs() : OrgScope.of(clientOrg);
        return transactions.write(context.scope(), () -> {
            // Checked against the hash read above: of two changes at once, the second finds it gone.
            String stored = users.lockedPasswordHash(user.id()).orElseThrow(OwnPassword::accountGone);
            if (!stored.equals(checked)) {
                throw ApiException.conflict("Your password was changed meanwhile: sign in with the new one.");
            }
            users.setPassword(own, user.id(), newHash);
            sessions.closeAllOf(user.id());
            throttle.succeeded(ticket);
            throttle.forgetAccount(user.email());
            Login.auditAccount(audit, context, user.id(), clientOrg, "user.password_changed", null,
                    Map.of("by", "self", "clientAddress", clientAddress));
            return sessions.open(user.id(), now);
        });
    }

    private static ApiException accountGone() {
        return ApiException.unauthorized("This account has been deleted.");
    }
}
