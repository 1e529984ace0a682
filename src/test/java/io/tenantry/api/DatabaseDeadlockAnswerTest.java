package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.tenantry.jdbc.DatabaseGaveWay;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.TestDatabase;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * The failure a real deadlock gives, on the database the suite runs on, is the one the API
 * answers 503 with Retry-After: two transactions lock two organizations' rows in opposite
 * orders, the database stops one of them, and its failure is what reaches the API's edge.
 */
@TenantryTest
class DatabaseDeadlockAnswerTest extends ServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    PlatformTransactionManager transactionManager;

    @Autowired
    JdbcClient jdbc;

    @Test
    void theLoserOfARealDeadlockIsAnsweredServiceUnavailableToBeSentAgain() throws Exception {
        UUID first = UUID.fromString(platform.createOrg("Deadlock first"));
        UUID second = UUID.fromString(platform.createOrg("Deadlock second"));
        CyclicBarrier bothHoldOne = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Throwable> failures = new ArrayList<>();
        try {
            List<Future<?>> both = List.of(
                    pool.submit(() -> inTransaction(() -> lockThen(first, second, bothHoldOne))),
                    pool.submit(() -> inTransaction(() -> lockThen(second, first, bothHoldOne))));
            for (Future<?> one : both) {
                try {
                    one.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException failed) {
                    failures.add(failed.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(failures).as("the database stops one of the two, and the other commits").hasSize(1);
        Throwable loser = failures.get(0);
        assertThat(DatabaseGaveWay.causes(loser)).as("recognised: %s", loser).isTrue();
        ResponseEntity<Object> answer = new ProblemDetailsAdvice().unexpected((Exception) loser);
        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
    }

    private Object lockThen(UUID held, UUID wanted, CyclicBarrier bothHoldOne) {
        touch(held);
        try {
            bothHoldOne.await(30, TimeUnit.SECONDS);
        } catch (Exception interrupted) {
            throw new IllegalStateException(interrupted);
        }
        touch(wanted);
        return null;
    }

    private void touch(UUID org) {
        assertThat(jdbc.sql("update organizations set name = name where id = :id").param("id", org).update())
                .as("the org's row locked").isEqualTo(1);
    }

    /**
     * On PostgreSQL in the app's scoped transaction (row-level security shows the rows only
     * to it); on H2 in a plain one, since the app's writes there take turns in the process and
     * never meet in the database.
     */
    private void inTransaction(Supplier<Object> work) {
        if (TestDatabase.postgres()) {
            transactions.write(OrgScope.allOrgs(), work);
        } else {
            new TransactionTemplate(transactionManager).execute(status -> work.get());
        }
    }
}
