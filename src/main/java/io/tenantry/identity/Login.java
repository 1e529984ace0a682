package io.tenantry.identity;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.EmailAddress;
import io.tenantry.audit.AuditLog;
import io.tenantry.crypto.SecretToken;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.Caller;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Password sign-in, throttled by {@link SignInThrottle} before the password is even
 * checked. An unknown address and a wrong password get the same answer, and so does every
 * throttled caller. Every failure is audited in the org the account belongs to (the default
 * org for unknown addresses and unbound users), with the client address it came from.
 */
@Service
class Login {

    record Result(SecretToken token, User user) {
    }

    private final UserRepository users;
    private final Sessions sessions;
    private final Passwords passwords;
    private final SignInThrottle throttle;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    Login(UserRepository users, Sessions sessions, Passwords passwords, SignInThrottle throttle,
            ScopedTransactions transactions, AuditLog audit) {
        this.users = users;
        this.sessions = sessions;
        this.passwords = passwords;
        this.throttle = throttle;
        this.transactions = transactions;
        this.audit = audit;
    }

    Result login(String email, String password, String clientAddress, String requestId) {
        String address = email == null ? "" : EmailAddress.canonical(email);
        if (address.isEmpty()) {
            throw ApiException.badRequest("email", "email is required.");
        }
        // Each told of any address alike, so it says nothing about accounts: no account's address is one.
        if (address.length() > 320) {
            throw ApiException.badRequest("email", "email must be at most 320 characters.");
        }
        if (address.codePoints().anyMatch(cp -> Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT)) {
            throw ApiException.badRequest("email", "email must not contain control or invisible characters.");
        }
        if (password == null || password.isEmpty()) {
            throw ApiException.badRequest("password", "password is required.");
        }
        Instant now = Instant.now();
        SignInThrottle.Ticket ticket = throttle.admit(address, clientAddress, now);
        Optional<UserRepository.Credentials> found = users.credentials(address);
        boolean matches = passwords.matches(password, found.map(UserRepository.Credentials::passwordHash).orElse(null));
        if (!matches) {
            UUID org = found.map(credentials -> auditOrg(credentials.user())).orElse(DefaultOrg.ID);
            OrgCallContext context = inOrg(org, Actor.anonymous(address), requestId, now);
            transactions.write(context.scope(), () -> auditAccount(audit, context,
                    found.map(UserRepository.Credentials::user).orElse(null), "auth.login_failed", null,
                    Map.of("clientAddress", clientAddress)));
            throw ApiException.unauthorized("The e-mail address or the password is wrong.");
        }
        User user = found.get().user();
        UUID org = auditOrg(user);
        UserPrincipal principal = new UserPrincipal(user.id(), user.email(), user.name(), user.role(),
                user.clientOrgId(), user.pages());
        OrgCallContext context = inOrg(org, principal, requestId, now);
        String checked = found.get().passwordHash();
        return transactions.write(context.scope(), () -> {
            // A password changed since it was checked ended every session: this sign-in gets
            // none either. The lock makes a change still to come wait, and then end this one.
            if (!users.lockedPasswordHash(user.id()).filter(checked::equals).isPresent()) {
                throw ApiException.unauthorized("The e-mail address or the password is wrong.");
            }
            throttle.succeeded(ticket);
            SecretToken token = sessions.open(user.id(), now);
            auditAccount(audit, context, user, "auth.login", null, Map.of("clientAddress", clientAddress));
            return new Result(token, user);
        });
    }

    /** Signing out: the session of this token ends, if it has not already, and its end is audited as sign-ins are. */
    void end(String token, String requestId) {
        Instant now = Instant.now();
        Optional<Sessions.Live> live = sessions.find(token, now);
        if (live.isEmpty()) {
            transactions.write(OrgScope.none(), () -> sessions.close(token));
            return;
        }
        UserPrincipal user = live.get().user();
        UUID clientOrg = clientOrg(user.role(), user.clientOrgId());
        OrgCallContext context = inOrg(clientOrg == null ? DefaultOrg.ID : clientOrg, user, requestId, now);
        transactions.write(context.scope(), () -> {
            // Of two sign-outs at once, the one that ended the session says so.
            if (sessions.close(token) > 0) {
                auditAccount(audit, context, user.id(), clientOrg, "auth.logout", null, null);
            }
        });
    }

    /** The org a user's sign-ins and account changes are audited in. */
    static UUID auditOrg(User user) {
        UUID clientOrg = clientOrg(user.role(), user.clientOrgId());
        return clientOrg != null ? clientOrg : DefaultOrg.ID;
    }

    /**
     * The org of a client user, bound to one org (a binding counts for role user only); null
     * for everyone else, whose account is the installation's business.
     */
    private static UUID clientOrg(Role role, UUID clientOrgId) {
        return role == Role.user ? clientOrgId : null;
    }

    /**
     * Audits an event of an account (null: an address that has none): a client user's in
     * their org, where that org's users see it; anyone else's as an event of the
     * installation, which only owners and admins see. Must run in the change's transaction,
     * scoped to {@link #auditOrg}.
     */
    static void auditAccount(AuditLog audit, OrgCallContext context, User user, String action, Object before,
            Object after) {
        auditAccount(audit, context, user == null ? null : user.id(),
                user == null ? null : clientOrg(user.role(), user.clientOrgId()), action, before, after);
    }

    /** The same, for the account {@code userId}: a client user's of {@code clientOrg}, or (null) anyone else's. */
    static void auditAccount(AuditLog audit, OrgCallContext context, UUID userId, UUID clientOrg,
            String action, Object before, Object after) {
        if (clientOrg != null) {
            audit.record(context, clientOrg, action, "user", userId, before, after);
        } else {
            audit.recordPlatform(context, action, "user", userId, before, after);
        }
    }

    /** A sign-in is recorded in one org, and its transaction is scoped to exactly that org. */
    private static OrgCallContext inOrg(UUID org, Caller caller, String requestId, Instant now) {
        return new OrgCallContext(caller, OrgScope.of(org), null, requestId, now);
    }

    private static OrgCallContext inOrg(UUID org, Actor actor, String requestId, Instant now) {
        return OrgCallContext.unattended(actor, false, OrgScope.of(org), requestId, now);
    }
}
