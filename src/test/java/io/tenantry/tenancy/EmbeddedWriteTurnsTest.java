package io.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.TestDatabase;

/**
 * On H2, writes take turns inside ScopedTransactions.write (a kill could otherwise persist
 * half of a transaction). The test server carries a net that fails any write the server
 * makes outside such a transaction; this proves the net is there and catches one.
 */
@TenantryTest
class EmbeddedWriteTurnsTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ScopedTransactions transactions;

    @Test
    void aServerWriteOutsideAWriteTransactionIsCaughtOnH2() throws Exception {
        assumeFalse(TestDatabase.postgres(), "H2 only: PostgreSQL's commits are whole without write turns");
        ExecutorService server = Executors.newSingleThreadExecutor(work -> new Thread(work, "server-thread"));
        try {
            CompletableFuture<Integer> outside = CompletableFuture.supplyAsync(
                    () -> jdbc.sql("delete from sign_in_throttles where throttle_key = 'nobody'").update(), server);
            CompletableFuture<Integer> inside = CompletableFuture.supplyAsync(() -> transactions.write(
                    OrgScope.none(), () -> jdbc.sql("delete from sign_in_throttles where throttle_key = 'nobody'")
                            .update()), server);

            assertThat(inside.get()).isZero();
            assertThatThrownBy(outside::get).isInstanceOf(ExecutionException.class).rootCause()
                    .hasMessageContaining("a write outside ScopedTransactions.write");
        } finally {
            server.shutdown();
        }
    }
}
