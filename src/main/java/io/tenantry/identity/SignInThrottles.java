package io.tenantry.identity;

import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.DatabaseVendor;

/**
 * The leaky buckets of sign-in throttling, one row per key. Platform data (no org, no
 * row-level security). Every method must run inside a transaction: counting an attempt and
 * setting its wait are two statements that must commit together.
 */
@Repository
class SignInThrottles {

    private static final String COUNT = """
            update sign_in_throttles
               set empty_at_ms = greatest(empty_at_ms, :now) + :drain,
                   seen_ms = greatest(seen_ms, :now)
             where throttle_key = :key and next_allowed_ms <= :now
            """;

    private final JdbcClient jdbc;
    private final String countReturning;

    SignInThrottles(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        // One statement that both gates and counts, answering the new level: PostgreSQL says
        // so with RETURNING, H2 by reading the final table of the update.
        this.countReturning = vendor == DatabaseVendor.POSTGRESQL
                ? COUNT + " returning empty_at_ms, seen_ms"
                : "select empty_at_ms, seen_ms from final table (" + COUNT + ")";
    }

    /**
     * A bucket just after an attempt was counted in it.
     *
     * @param emptyAtMs when it will have drained
     * @param seenMs    the latest clock reading any counted attempt brought: concurrent
     *                  attempts reach the row in another order than they read the clock, and
     *                  the level is measured from this, not from each attempt's own reading
     */
    record Level(long emptyAtMs, long seenMs) {

        /** Failures still in the bucket, a partly drained one counting whole. */
        long failures(long drainMs) {
            return (emptyAtMs - seenMs + drainMs - 1) / drainMs;
        }
    }

    /**
     * Counts an attempt under {@code key}, unless the key must wait: one atomic update, so
     * that concurrent attempts are counted one by one and the first to push the key over its
     * allowance makes every later one wait. Answers the bucket's new level, or nothing when
     * the key is waiting (and nothing was counted).
     */
    Optional<Level> count(String key, long nowMs, long drainMs) {
        jdbc.sql("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:key, 0, 0)"
                + " on conflict do nothing").param("key", key).update();
        return jdbc.sql(countReturning).param("key", key).param("now", nowMs).param("drain", drainMs)
                .query((rs, n) -> new Level(rs.getLong(1), rs.getLong(2))).optional();
    }

    /** Makes the key wait until {@code untilMs}; must follow {@link #count} in the same transaction. */
    void holdUntil(String key, long untilMs) {
        jdbc.sql("update sign_in_throttles set next_allowed_ms = :until where throttle_key = :key")
                .param("key", key).param("until", untilMs).update();
    }

    /** When the key may try again; 0 when it has no row. */
    long nextAllowed(String key) {
        return jdbc.sql("select next_allowed_ms from sign_in_throttles where throttle_key = :key").param("key", key)
                .query(Long.class).optional().orElse(0L);
    }

    /** Takes one attempt back out of the bucket: a sign-in that succeeded was no failure. */
    void refund(String key, long drainMs) {
        jdbc.sql("update sign_in_throttles set empty_at_ms = empty_at_ms - :drain where throttle_key = :key")
                .param("key", key).param("drain", drainMs).update();
    }

    void forget(String key) {
        jdbc.sql("delete from sign_in_throttles where throttle_key = :key").param("key", key).update();
    }

    /** Forgets every key that starts with {@code prefix} (an account's keys, from any address). */
    void forgetAllStartingWith(String prefix) {
        jdbc.sql("delete from sign_in_throttles where throttle_key like :prefix").param("prefix", prefix + "%")
                .update();
    }

    /** Deletes the rows of drained buckets that are not waiting; answers how many. */
    int deleteIdle(long nowMs) {
        return jdbc.sql("delete from sign_in_throttles where empty_at_ms < :now and next_allowed_ms < :now")
                .param("now", nowMs).update();
    }
}
