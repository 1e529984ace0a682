package io.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.api.KeptPrincipalChanged;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.TestDatabase;

/**
 * A transaction's opening statements (on PostgreSQL sent with the scope in one round trip):
 * they run in their order inside the transaction, work done here runs at its place among
 * them, each read's answer reaches the work, and a failure anywhere leaves nothing behind.
 */
@TenantryTest
class PipelineTest extends ServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    @Test
    void theStatementsRunInOrderInTheTransactionAndTheirAnswersReachTheWork() {
        String key = "pipeline-" + UUID.randomUUID();
        List<String> order = new ArrayList<>();
        Pipeline opening = new Pipeline();
        Pipeline.Result<Long> before = opening.query("select count(*) from sign_in_throttles where throttle_key = :k",
                Map.of("k", key), rs -> rs.next() ? rs.getLong(1) : -1);
        opening.here(() -> order.add("here, after the first read"));
        opening.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms)"
                + " values (:k, 1, 2)", Map.of("k", key));
        Pipeline.Result<List<Long>> after = opening.query(
                "select next_allowed_ms from sign_in_throttles where throttle_key in (:keys) order by next_allowed_ms",
                Map.of("keys", List.of(key, "nobody-" + key)), rs -> {
                    List<Long> values = new ArrayList<>();
                    while (rs.next()) {
                        values.add(rs.getLong(1));
                    }
                    return values;
                });
        Pipeline.Result<String> described = after.map(values -> values.size() + " row(s)");

        String seen = transactions.write(OrgScope.none(), opening, () -> {
            order.add("work");
            return before.get() + " then " + after.get() + ", " + described.get();
        });

        assertThat(seen).isEqualTo("0 then [2], 1 row(s)");
        assertThat(order).containsExactly("here, after the first read", "work");
        assertThat(count(key)).isEqualTo(1);
        transactions.write(OrgScope.none(), () -> jdbc.sql("delete from sign_in_throttles where throttle_key = :k")
                .param("k", key).update());
    }

    /**
     * A round trip's text is kept by its shape; a collection's size is part of the shape, since
     * it decides the placeholders. The same statement with lists of other sizes, alternately,
     * reads what each list names.
     */
    @Test
    void theSameStatementWithListsOfOtherSizesReadsWhatEachNames() {
        List<String> keys = List.of("pipeline-" + UUID.randomUUID(), "pipeline-" + UUID.randomUUID(),
                "pipeline-" + UUID.randomUUID());
        for (String key : keys) {
            transactions.write(OrgScope.none(), () -> jdbc.sql("insert into sign_in_throttles (throttle_key,"
                    + " empty_at_ms, next_allowed_ms) values (:k, 1, 2)").param("k", key).update());
        }
        List<Long> counted = new ArrayList<>();
        for (int size : List.of(1, 3, 2, 1, 3, 2)) {
            counted.addAll(transactions.readOne(OrgScope.none(), "select count(*) from sign_in_throttles"
                    + " where throttle_key in (:keys)", Map.of("keys", keys.subList(0, size)), (rs, n) -> rs.getLong(1)));
        }

        assertThat(counted).containsExactly(1L, 3L, 2L, 1L, 3L, 2L);
        transactions.write(OrgScope.none(), () -> jdbc.sql("delete from sign_in_throttles where throttle_key in (:k)")
                .param("k", keys).update());
    }

    @Test
    void aFailingStatementOrFailingWorkLeavesNothingOfTheOthers() {
        String key = "pipeline-" + UUID.randomUUID();
        Pipeline broken = new Pipeline();
        broken.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 1, 2)",
                Map.of("k", key));
        broken.query("select no_such_column from sign_in_throttles", Map.of(), rs -> null);
        List<String> ran = new ArrayList<>();

        assertThatThrownBy(() -> transactions.write(OrgScope.none(), broken, () -> ran.add("work")))
                .isInstanceOf(DataAccessException.class);
        Pipeline fine = new Pipeline();
        fine.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 1, 2)",
                Map.of("k", key));
        assertThatThrownBy(() -> transactions.write(OrgScope.none(), fine, () -> {
            throw new IllegalStateException("the work fails");
        })).hasMessage("the work fails");

        assertThat(ran).as("work after a failed opening").isEmpty();
        assertThat(count(key)).isZero();
    }

    @Test
    void anAnswerIsTakenOnlyAfterThePipelineRanAndAPipelineRunsOnce() {
        Pipeline opening = new Pipeline();
        Pipeline.Result<Long> one = opening.query("select 1", Map.of(), rs -> rs.next() ? rs.getLong(1) : -1);

        assertThatThrownBy(one::get).hasMessageContaining("has not run");
        assertThat(transactions.write(OrgScope.none(), opening, one::get)).isEqualTo(1);
        assertThatThrownBy(() -> transactions.write(OrgScope.none(), opening, one::get))
                .hasMessageContaining("runs once");
        assertThatThrownBy(() -> opening.here(() -> { })).hasMessageContaining("has run already");
        assertThat(Pipeline.Result.of("known").get()).isEqualTo("known");
    }

    /**
     * Statements that depend on what a transaction read first run in a later pipeline, inside
     * that transaction: they see its writes, and go with it when it rolls back.
     */
    @Test
    void aLaterPipelineRunsInTheOpenTransactionAndGoesWithIt() {
        String first = "pipeline-" + UUID.randomUUID();
        String second = "pipeline-" + UUID.randomUUID();
        List<Long> seen = new ArrayList<>();

        assertThatThrownBy(() -> transactions.write(OrgScope.none(), () -> {
            jdbc.sql("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 1, 2)")
                    .param("k", first).update();
            Pipeline next = new Pipeline();
            Pipeline.Result<Long> earlier = next.query("select count(*) from sign_in_throttles where throttle_key = :k",
                    Map.of("k", first), rs -> rs.next() ? rs.getLong(1) : -1);
            next.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms)"
                    + " values (:k, 3, 4)", Map.of("k", second));
            transactions.inOpenTransaction(OrgScope.none(), next);
            seen.add(earlier.get());
            seen.add(jdbc.sql("select count(*) from sign_in_throttles where throttle_key = :k").param("k", second)
                    .query(Long.class).single());
            throw new IllegalStateException("the work fails after both");
        })).hasMessage("the work fails after both");

        assertThat(seen).as("the later pipeline saw the transaction's write, and the work saw its").containsExactly(1L,
                1L);
        assertThat(count(first)).isZero();
        assertThat(count(second)).as("rolled back with the transaction").isZero();
        assertThatThrownBy(() -> transactions.inOpenTransaction(OrgScope.none(), new Pipeline()))
                .hasMessageContaining("no transaction is open");
        assertThatThrownBy(() -> transactions.write(OrgScope.none(), () -> {
            transactions.inOpenTransaction(OrgScope.allOrgs(), new Pipeline());
            return null;
        })).hasMessageContaining("cannot join");
    }

    /**
     * Statements sent together make a transaction of their own (on PostgreSQL an implicit one,
     * in one round trip): written all or none, and read or written only once the confirmation
     * holds. A confirmation on platform tables alone rides in the statement that sets the
     * scope, and stops what follows it just the same.
     */
    @ParameterizedTest(name = "confirmation on platform tables alone: {0}")
    @ValueSource(booleans = {false, true})
    void statementsSentTogetherWriteAllOrNoneAndReadOnlyWhenConfirmed(boolean onPlatformTables) {
        CallerConfirmation holds = confirmation(onPlatformTables, 1);
        CallerConfirmation changed = confirmation(onPlatformTables, 2);
        String first = "pipeline-" + UUID.randomUUID();
        String second = "pipeline-" + UUID.randomUUID();
        Pipeline broken = new Pipeline();
        broken.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 1, 2)",
                Map.of("k", first));
        broken.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 1, 2)",
                Map.of("k", first));
        assertThatThrownBy(() -> transactions.writeTogether(OrgScope.none(), holds, broken))
                .isInstanceOf(DataAccessException.class);
        assertThat(count(first)).as("the first insert, with the second refused").isZero();

        assertThatThrownBy(() -> transactions.writeTogether(OrgScope.none(), changed, both(first, second)))
                .isInstanceOf(KeptPrincipalChanged.class);
        assertThat(count(first) + count(second)).as("nothing written once the confirmation failed").isZero();
        transactions.writeTogether(OrgScope.none(), holds, both(first, second));
        assertThat(count(first) + count(second)).isEqualTo(2);

        Pipeline refused = new Pipeline();
        Pipeline.Result<Long> unread = refused.query("select count(*) from sign_in_throttles where throttle_key = :k",
                Map.of("k", first), rs -> rs.next() ? rs.getLong(1) : -1);
        assertThatThrownBy(() -> transactions.readTogether(OrgScope.none(), changed, refused))
                .isInstanceOf(KeptPrincipalChanged.class);
        assertThatThrownBy(unread::get).hasMessageContaining("has not run");
        Pipeline confirmed = new Pipeline();
        Map<String, Object> withNull = new HashMap<>(Map.of("keys", List.of(first, second)));
        withNull.put("nothing", null);
        Pipeline.Result<Long> read = confirmed.query("select count(*) from sign_in_throttles where throttle_key in"
                + " (:keys) or throttle_key = cast(:nothing as varchar(200))", withNull,
                rs -> rs.next() ? rs.getLong(1) : -1);
        transactions.readTogether(OrgScope.none(), holds, confirmed);
        assertThat(read.get()).isEqualTo(2);

        // Without a confirmation of their own, reads sent together take the request's pending one, as one read does.
        CallerConfirmation.expect(changed);
        Pipeline unconfirmed = new Pipeline();
        Pipeline.Result<Long> notCounted = counted(unconfirmed, first, second);
        assertThatThrownBy(() -> transactions.readTogether(OrgScope.none(), unconfirmed))
                .isInstanceOf(KeptPrincipalChanged.class);
        assertThatThrownBy(notCounted::get).hasMessageContaining("has not run");
        CallerConfirmation.expect(holds);
        Pipeline pending = new Pipeline();
        Pipeline.Result<Long> counted = counted(pending, first, second);
        transactions.readTogether(OrgScope.none(), pending);
        assertThat(counted.get()).isEqualTo(2);
        assertThat(CallerConfirmation.take()).as("the pending confirmation is taken").isEmpty();
        Pipeline none = new Pipeline();
        Pipeline.Result<Long> countedAlone = counted(none, first, second);
        transactions.readTogether(OrgScope.none(), none);
        assertThat(countedAlone.get()).isEqualTo(2);

        Pipeline withWorkHere = new Pipeline();
        withWorkHere.here(() -> { });
        assertThatThrownBy(() -> transactions.writeTogether(OrgScope.none(), holds, withWorkHere))
                .hasMessageContaining("work done here");
        assertThatThrownBy(() -> transactions.write(OrgScope.none(), () -> {
            transactions.writeTogether(OrgScope.none(), holds, new Pipeline());
            return null;
        })).hasMessageContaining("a transaction of their own");
        transactions.write(OrgScope.none(), () -> jdbc.sql("delete from sign_in_throttles where throttle_key in (:keys)")
                .param("keys", List.of(first, second)).update());
    }

    /** A relaxed write sent together is confirmed as a durable one is, and written all or none. */
    @Test
    void aRelaxedWriteSentTogetherWritesOnlyWhenConfirmed() {
        String first = "pipeline-" + UUID.randomUUID();
        String second = "pipeline-" + UUID.randomUUID();
        assertThatThrownBy(() -> transactions.writeTogetherRelaxed(OrgScope.none(), confirmation(false, 2),
                both(first, second))).isInstanceOf(KeptPrincipalChanged.class);
        assertThat(count(first) + count(second)).as("nothing written once the confirmation failed").isZero();
        Pipeline broken = both(first, second);
        broken.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 1, 2)",
                Map.of("k", first));
        assertThatThrownBy(() -> transactions.writeTogetherRelaxed(OrgScope.none(), confirmation(false, 1), broken))
                .isInstanceOf(DataAccessException.class);
        assertThat(count(first) + count(second)).as("the first two inserts, with the third refused").isZero();

        transactions.writeTogetherRelaxed(OrgScope.none(), confirmation(true, 1), both(first, second));
        assertThat(count(first) + count(second)).isEqualTo(2);
        transactions.write(OrgScope.none(), () -> jdbc.sql(
                "delete from sign_in_throttles where throttle_key in (:keys)").param("keys", List.of(first, second))
                .update());
    }

    /**
     * On PostgreSQL a relaxed write's commit does not wait for the log to reach the disk, and
     * only its own: the setting is off in it, on again in the next write and in a durable one.
     */
    @ParameterizedTest(name = "confirmation on platform tables alone: {0}")
    @ValueSource(booleans = {false, true})
    void onlyARelaxedWriteCommitsWithoutWaitingForTheDisk(boolean onPlatformTables) {
        assumeTrue(TestDatabase.postgres(), "H2 has no synchronous_commit: each commit is written as it comes");
        CallerConfirmation holds = confirmation(onPlatformTables, 1);
        Pipeline relaxed = new Pipeline();
        Pipeline.Result<String> inRelaxed = synchronousCommit(relaxed);
        transactions.writeTogetherRelaxed(OrgScope.allOrgs(), holds, relaxed);
        Pipeline durable = new Pipeline();
        Pipeline.Result<String> inDurable = synchronousCommit(durable);
        transactions.writeTogether(OrgScope.allOrgs(), holds, durable);

        assertThat(inRelaxed.get()).isEqualTo("off");
        assertThat(inDurable.get()).isEqualTo("on");
        assertThat(transactions.write(OrgScope.allOrgs(), () -> jdbc.sql("select current_setting('synchronous_commit')")
                .query(String.class).single())).as("a write after the relaxed one, on any connection").isEqualTo("on");
    }

    private static Pipeline.Result<String> synchronousCommit(Pipeline pipeline) {
        return pipeline.query("select current_setting('synchronous_commit')", Map.of(),
                rs -> rs.next() ? rs.getString(1) : null);
    }

    private static CallerConfirmation confirmation(boolean onPlatformTables, int kept) {
        Map<String, Object> params = Map.of("keptOne", kept);
        return onPlatformTables ? CallerConfirmation.onPlatformTables("1 = :keptOne", params)
                : new CallerConfirmation("1 = :keptOne", params);
    }

    private static Pipeline.Result<Long> counted(Pipeline pipeline, String first, String second) {
        return pipeline.query("select count(*) from sign_in_throttles where throttle_key in (:keys)",
                Map.of("keys", List.of(first, second)), rs -> rs.next() ? rs.getLong(1) : -1);
    }

    private static Pipeline both(String first, String second) {
        Pipeline both = new Pipeline();
        both.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 1, 2)",
                Map.of("k", first));
        both.statement("insert into sign_in_throttles (throttle_key, empty_at_ms, next_allowed_ms) values (:k, 3, 4)",
                Map.of("k", second));
        return both;
    }

    private long count(String key) {
        return transactions.read(OrgScope.none(), () -> jdbc.sql(
                "select count(*) from sign_in_throttles where throttle_key = :k").param("k", key).query(Long.class)
                .single());
    }
}
