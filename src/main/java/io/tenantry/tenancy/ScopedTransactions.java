package io.tenantry.tenancy;

import java.util.function.Supplier;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.tenantry.jdbc.DatabaseVendor;

/**
 * Runs work in a transaction that carries an {@link OrgScope} into the database. On
 * PostgreSQL the scope becomes transaction-local settings that the row-level security
 * policies read; on H2 there is no RLS and the repositories' scope predicates stand alone.
 * A transaction has one scope: joining it with another is a programming error.
 */
@Component
public class ScopedTransactions {

    private static final Object SCOPE_KEY = new Object();

    private final TransactionTemplate writes;
    private final TransactionTemplate reads;
    private final JdbcClient jdbc;
    private final boolean rowLevelSecurity;

    public ScopedTransactions(PlatformTransactionManager transactionManager, JdbcClient jdbc, DatabaseVendor vendor) {
        this.writes = new TransactionTemplate(transactionManager);
        this.reads = new TransactionTemplate(transactionManager);
        this.reads.setReadOnly(true);
        this.reads.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        this.jdbc = jdbc;
        this.rowLevelSecurity = vendor.rowLevelSecurity();
    }

    public <T> T write(OrgScope scope, Supplier<T> work) {
        return run(writes, scope, work);
    }

    public void write(OrgScope scope, Runnable work) {
        run(writes, scope, () -> {
            work.run();
            return null;
        });
    }

    public <T> T read(OrgScope scope, Supplier<T> work) {
        return run(reads, scope, work);
    }

    private <T> T run(TransactionTemplate template, OrgScope scope, Supplier<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            Object current = TransactionSynchronizationManager.getResource(SCOPE_KEY);
            if (!scope.equals(current)) {
                throw new IllegalStateException("a transaction in " + current + " cannot join work in " + scope);
            }
            return work.get();
        }
        return template.execute(status -> {
            TransactionSynchronizationManager.bindResource(SCOPE_KEY, scope);
            try {
                applyScope(scope);
                return work.get();
            } finally {
                TransactionSynchronizationManager.unbindResource(SCOPE_KEY);
            }
        });
    }

    private void applyScope(OrgScope scope) {
        if (!rowLevelSecurity) {
            return;
        }
        jdbc.sql("select set_config('app.all_orgs', ?, true), set_config('app.org_ids', ?, true)")
                .param(scope.isAllOrgs() ? "on" : "off")
                .param(scope.isAllOrgs() ? "" : scope.settingValue())
                .query().singleRow();
    }
}
