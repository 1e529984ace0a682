package io.tenantry.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.crypto.SecretToken;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.CallerConfirmation;

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

    /** Ends the session of {@code token}; answers how many ended (0: none was live). */
    int close(String token) {
        return jdbc.sql("delete from sessions where token_hash = :hash").param("hash", SecretToken.hash(token))
                .update();
    }

    /** Deletes sessions past their end; answers how many. */
    int deleteExpired(Instant now) {
        return jdbc.sql("delete from sessions where expires_at <= :now or created_at <= :oldest")
                .param("now", Timestamps.of(now)).param("oldest", Timestamps.of(now.minus(ABSOLUTE))).update();
    }

    /** Whether the session of {@code token} is still there (not ended by a sign-out, a password change, a deletion). */
    boolean isOpen(String token) {
        return jdbc.sql("select count(*) from sessions where token_hash = :hash")
                .param("hash", SecretToken.hash(token)).query(Long.class).single() > 0;
    }

    void closeAllOf(UUID userId) {
        jdbc.sql("delete from sessions where user_id = :userId").param("userId", userId).update();
    }

    /** A live session as the hot path reads it; {@code pages} as the user's row holds them. */
    record Live(String tokenHash, UserPrincipal user, String pages, Instant created, Instant lastSeen) {

        /** Whether its last use is old enough to be written again (at most once a minute). */
        boolean dueForTouch(Instant now) {
            return lastSeen.plus(TOUCH_EVERY).isBefore(now);
        }
    }

    /** The live session of a token, with its user as the user is now. One query on the hot path. */
    Optional<Live> find(String token, Instant now) {
        String hash = SecretToken.hash(token);
        return jdbc.sql("""
                select u.id, u.email, u.name, u.role, u.client_org_id, u.pages, s.created_at, s.last_seen_at
                  from sessions s join users u on u.id = s.user_id
                 where s.token_hash = :hash and s.expires_at > :now
                """)
                .param("hash", hash).param("now", Timestamps.of(now))
                .query((rs, row) -> new Live(hash, new UserPrincipal(rs.getObject("id", UUID.class),
                        rs.getString("email"), rs.getString("name"), Role.valueOf(rs.getString("role")),
                        rs.getObject("client_org_id", UUID.class), Page.load(rs.getString("pages"))),
                        rs.getString("pages"), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "last_seen_at")))
                .optional()
                .filter(session -> session.created().plus(ABSOLUTE).isAfter(now));
    }

    /**
     * True while {@code session} is live at {@code now} and its user is as {@link #find} read
     * it: every column the principal was made of compared, so a change of role, binding, pages,
     * name or address, a logout, the end of the session or the user's deletion makes it false.
     * Sessions and users are platform tables, outside row-level security.
     */
    static CallerConfirmation stillLive(Live session, Instant now) {
        UserPrincipal user = session.user();
        return CallerConfirmation.onPlatformTables("""
                exists (select 1 from sessions s join users u on u.id = s.user_id
                         where s.token_hash = :keptSession and s.expires_at > :keptNow and s.created_at > :keptOldest
                           and u.id = :keptUser and u.email = :keptEmail and u.name = :keptName
                           and u.role = :keptRole and u.pages = :keptPages
                           and coalesce(cast(u.client_org_id as varchar(36)), '') = :keptOrg)""",
                Map.of("keptSession", session.tokenHash(), "keptNow", Timestamps.of(now),
                        "keptOldest", Timestamps.of(now.minus(ABSOLUTE)), "keptUser", user.id(),
                        "keptEmail", user.email(), "keptName", user.name(), "keptRole", user.role().name(),
                        "keptPages", session.pages(),
                        "keptOrg", user.clientOrgId() == null ? "" : user.clientOrgId().toString()));
    }

    /** Records a use of the session: its idle end moves, never past its absolute end. */
    void touch(Live session, Instant now) {
        Instant expires = now.plus(IDLE);
        Instant limit = session.created().plus(ABSOLUTE);
        jdbc.sql("update sessions set last_seen_at = :now, expires_at = :expires where token_hash = :hash")
                .param("hash", session.tokenHash()).param("now", Timestamps.of(now))
                .param("expires", Timestamps.of(expires.isAfter(limit) ? limit : expires)).update();
    }
}
