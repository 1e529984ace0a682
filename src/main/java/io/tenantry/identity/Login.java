package io.tenantry.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.crypto.SecretToken;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Password login with a lock after repeated failures: {@value #MAX_FAILURES} wrong
 * passwords in a row lock the account for {@link #LOCK}. Every failure is audited in the
 * org the account belongs to (the default org for unknown addresses and unbound users).
 */
@Service
class Login {

    static final int MAX_FAILURES = 5;
    static final Duration LOCK = Duration.ofMinutes(15);

    record Result(SecretToken token, User user) {
    }

    private final UserRepository users;
    private final Sessions sessions;
    private final Passwords passwords;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    Login(UserRepository users, Sessions sessions, Passwords passwords, ScopedTransactions transactions,
            AuditLog audit) {
        this.users = users;
        this.sessions = sessions;
        this.passwords = passwords;
        this.transactions = transactions;
        this.audit = audit;
    }

    Result login(String email, String password, String requestId) {
        String address = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
        if (address.isEmpty() || address.length() > 320) {
            throw ApiException.badRequest("email", "email is required.");
        }
        Instant now = Instant.now();
        Optional<UserRepository.Credentials> found = users.credentials(address);
        boolean matches = passwords.matches(password, found.map(UserRepository.Credentials::passwordHash).orElse(null));
        if (found.isEmpty()) {
            recordFailure(address, DefaultOrg.ID, null, "auth.login_failed", requestId, now);
            throw wrongCredentials();
        }
        User user = found.get().user();
        UUID org = auditOrg(user);
        if (user.lockedUntil() != null && user.lockedUntil().isAfter(now)) {
            recordFailure(address, org, user.id(), "auth.login_locked", requestId, now);
            throw ApiException.tooManyRequests("Too many failed logins: this account is locked until "
                    + user.lockedUntil() + ". Try again later or ask an admin to reset the password.");
        }
        if (!matches) {
            int failures = found.get().failedLogins() + 1;
            Instant lockedUntil = failures >= MAX_FAILURES ? now.plus(LOCK) : null;
            transactions.write(OrgScope.of(org), () -> {
                users.recordFailedLogin(user.id(), lockedUntil == null ? failures : 0, lockedUntil);
                audit.record(anonymous(address, requestId, now), org,
                        lockedUntil == null ? "auth.login_failed" : "auth.account_locked", "user", user.id(), null,
                        Map.of("failedLogins", failures));
            });
            throw wrongCredentials();
        }
        return transactions.write(OrgScope.of(org), () -> {
            users.recordFailedLogin(user.id(), 0, null);
            SecretToken token = sessions.open(user.id(), now);
            audit.record(asUser(user, requestId, now), org, "auth.login", "user", user.id(), null, null);
            return new Result(token, user);
        });
    }

    static UUID auditOrg(User user) {
        return user.role() == Role.user && user.clientOrgId() != null ? user.clientOrgId() : DefaultOrg.ID;
    }

    private void recordFailure(String address, UUID org, UUID userId, String action, String requestId, Instant now) {
        transactions.write(OrgScope.of(org), () -> audit.record(anonymous(address, requestId, now), org, action,
                "user", userId, null, null));
    }

    private static OrgCallContext anonymous(String address, String requestId, Instant now) {
        return OrgCallContext.unattended(Actor.anonymous(address.length() > 320 ? address.substring(0, 320) : address),
                false, OrgScope.of(DefaultOrg.ID), requestId, now);
    }

    private static OrgCallContext asUser(User user, String requestId, Instant now) {
        UserPrincipal principal = new UserPrincipal(user.id(), user.email(), user.name(), user.role(),
                user.clientOrgId(), user.pages());
        return new OrgCallContext(principal, principal.reach(), null, requestId, now);
    }

    private static ApiException wrongCredentials() {
        return ApiException.unauthorized("The e-mail address or the password is wrong.");
    }
}
