package io.tenantry.billing;

import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.tenancy.Pipeline;

/**
 * Keeps usage rollups and month closing consistent. Storing usage takes the shared side
 * before it reads which months are closed; closing a month and rerating take the exclusive
 * side, which waits for usage being stored to commit and holds new usage back until the
 * close has committed. So no event can land in a month after it was frozen.
 *
 * On PostgreSQL this is a table lock on usage_rollups (so it holds across app nodes); on
 * H2, which lives inside this one process, a read-write lock held until the transaction ends.
 */
@Component
public class RollupLock {

    private final JdbcClient jdbc;
    private final boolean postgres;
    private final ReentrantReadWriteLock local = new ReentrantReadWriteLock();

    RollupLock(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.postgres = vendor == DatabaseVendor.POSTGRESQL;
    }

    /** Taken by work that adds usage, first in its transaction's {@code opening}; many may hold it at once. */
    public void shared(Pipeline opening) {
        if (postgres) {
            opening.statement("lock table usage_rollups in row exclusive mode", Map.of());
        } else {
            opening.here(() -> holdUntilCompletion(local.readLock()));
        }
    }

    /** Taken by closing and rerating; waits for, and holds back, everything else. */
    public void exclusive() {
        if (postgres) {
            jdbc.sql("lock table usage_rollups in share row exclusive mode").update();
        } else {
            holdUntilCompletion(local.writeLock());
        }
    }

    private static void holdUntilCompletion(java.util.concurrent.locks.Lock lock) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("the rollup lock is held for a transaction: start one first");
        }
        lock.lock();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                lock.unlock();
            }
        });
    }
}
