package io.tenantry.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.crypto.SecretToken;
import io.tenantry.jdbc.Timestamps;

/**
 * Login sessions, kept in the database so that any node serves any request. The token
 * is only stored hashed. A session ends after {@link #IDLE} without use, or after
 * {@link #ABSOLUTE} at the latest; last use is written at most once a minute.
 */
@Repository
class Sessions {

    static final Duration IDLE = Duration.ofHours(12);
    static final Duration ABSOLUTE = Duration.ofDays(7);
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final JdbcClient jdbc;

    Sessions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    SecretToken open(UUID userId, Instant now) {
        SecretToken token = SecretToken.generate("tnt_s_");
        jdbc.sql("""
                insert into sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
                values (:hash, :userId, :now, :now, :expires)
                """)
                .param("hash", token.hash()).param("userId", userId).param("now", Timestamps.of(now))
                .param("expires", Timestamps.of(now.plus(IDLE))).update();
        return token;
    }

    void close(String token) {
        jdbc.sql("delete from sessions where token_hash = :hash").param("hash", SecretToken.hash(token)).update();
    }

    /** Deletes sessions past their end; answers how many. */
    int deleteExpired(Instant now) {
        return jdbc.sql("delete from sessions where expires_at <= :now or created_at <= :oldest")
                .param("now", Timestamps.of(now)).param("oldest", Timestamps.of(now.minus(ABSOLUTE))).update();
    }

    void closeAllOf(UUID userId) {
        jdbc.sql("delete from sessions where user_id = :userId").param("userId", userId).update();
    }

    private record Live(UserPrincipal user, Instant created, Instant lastSeen) {
    }

    /** The user behind a live session token, as the user is now. One query on the hot path. */
    Optional<UserPrincipal> authenticate(String token, Instant now) {
        String hash = SecretToken.hash(token);
        Optional<Live> live = jdbc.sql("""
                select u.id, u.email, u.name, u.role, u.client_org_id, u.pages, s.created_at, s.last_seen_at
                  from sessions s join users u on u.id = s.user_id
                 where s.token_hash = :hash and s.expires_at > :now
                """)
                .param("hash", hash).param("now", Timestamps.of(now))
                .query((rs, row) -> new Live(new UserPrincipal(rs.getObject("id", UUID.class), rs.getString("email"),
                        rs.getString("name"), Role.valueOf(rs.getString("role")),
                        rs.getObject("client_org_id", UUID.class), Page.load(rs.getString("pages"))),
                        Timestamps.read(rs, "created_at"), Timestamps.read(rs, "last_seen_at")))
                .optional()
                .filter(session -> session.created().plus(ABSOLUTE).isAfter(now));
        live.filter(session -> session.lastSeen().plus(TOUCH_EVERY).isBefore(now))
                .ifPresent(session -> touch(hash, now, session.created()));
        return live.map(Live::user);
    }

    private void touch(String hash, Instant now, Instant created) {
        Instant expires = now.plus(IDLE);
        Instant limit = created.plus(ABSOLUTE);
        jdbc.sql("update sessions set last_seen_at = :now, expires_at = :expires where token_hash = :hash")
                .param("hash", hash).param("now", Timestamps.of(now))
                .param("expires", Timestamps.of(expires.isAfter(limit) ? limit : expires)).update();
    }
}
