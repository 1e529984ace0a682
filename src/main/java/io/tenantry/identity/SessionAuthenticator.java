package io.tenantry.identity;

import java.time.Instant;
import java.util.Optional;

import org.springframework.stereotype.Service;

/** Who a session token belongs to, as the user is now: what the authentication filter asks on every request. */
@Service
public class SessionAuthenticator {

    private final Sessions sessions;

    SessionAuthenticator(Sessions sessions) {
        this.sessions = sessions;
    }

    /** The user behind a live session token; empty for unknown, expired or ended sessions. */
    public Optional<UserPrincipal> authenticate(String token, Instant now) {
        return sessions.authenticate(token, now);
    }
}
