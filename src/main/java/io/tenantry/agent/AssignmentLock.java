package io.tenantry.agent;

import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.tenancy.Pipeline;

/**
 * Orders an agent's move, and a model's new price, against usage being stored. Usage is
 * billed to the org that held the agent when it happened and at the price in force then,
 * both read by the transaction that stores it. A move or a price that committed after that
 * read but was stamped before the events' times would leave them billed to the org the
 * history says had already let the agent go, or at a price the price list says was no
 * longer in force. So storing usage takes the shared side before it reads the history and
 * the prices, and a move or a price taking effect now takes the exclusive side before it
 * stamps its time: it waits for the usage being stored, then is stamped after it; usage
 * stored after waits for it to commit and reads it.
 * <p>
 * On PostgreSQL a transaction-scoped advisory lock (it holds across app nodes, needs no
 * privilege and writes nothing). On H2 nothing more is needed: its write transactions take
 * turns in this process (ScopedTransactions), and both sides are writes.
 */
@Component
public class AssignmentLock {

    /** The advisory lock's key: any number no other advisory lock of this database uses. */
    private static final long KEY = 0x4167_656e_744d_6f76L;

    private final JdbcClient jdbc;
    private final boolean postgres;

    AssignmentLock(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.postgres = vendor == DatabaseVendor.POSTGRESQL;
    }

    /** Taken by work that stores usage, in its transaction's {@code opening} before it reads assignment histories. */
    public void shared(Pipeline opening) {
        if (postgres) {
            opening.statement("select pg_advisory_xact_lock_shared(:key)", Map.of("key", KEY));
        }
    }

    /** Taken by a move or a price before it stamps its time; waits for, and holds back, usage being stored. */
    public void exclusive() {
        if (postgres) {
            jdbc.sql("select pg_advisory_xact_lock(:key)").param("key", KEY).query().listOfRows();
        }
    }
}
