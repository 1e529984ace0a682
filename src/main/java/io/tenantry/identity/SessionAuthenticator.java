package io.tenantry.identity;

import java.time.Instant;
import java.util.Optional;

import org.springframework.stereotype.Service;

import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/** Who a session token belongs to, as the user is now: what the authentication filter asks on every request. */
@Service
public class SessionAuthenticator {

    private final Sessions sessions;
    private final ScopedTransactions transactions;

    SessionAuthenticator(Sessions sessions, ScopedTransactions transactions) {
        this.sessions = sessions;
        this.transactions = transactions;
    }

    /**
     * The user behind a live session token; empty for unknown, expired or ended sessions.
     * The read needs no transaction; recording the use, at most once a minute, is a write
     * like any other.
     */
    public Optional<UserPrincipal> authenticate(String token, Instant now) {
        Optional<Sessions.Live> live = sessions.find(token, now);
        live.filter(session -> session.dueForTouch(now))
                .ifPresent(session -> transactions.write(OrgScope.none(), () -> sessions.touch(session, now)));
        return live.map(Sessions.Live::user);
    }
}
