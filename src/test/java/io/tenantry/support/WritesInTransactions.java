package io.tenantry.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The net behind the H2 write rule (see ScopedTransactions): on H2 every write must run in
 * a read-write transaction, which only {@code ScopedTransactions.write} opens, so that
 * writes take turns and a kill cannot persist half of a transaction. In the test server on
 * H2, a write statement issued by the server outside such a transaction fails, naming the
 * statement. The JUnit thread ("main", which also runs the migrations at start-up) is
 * exempt: tests arrange data directly.
 */
final class WritesInTransactions implements BeanPostProcessor {

    private static final Pattern WRITE = Pattern.compile(
            "^\\s*(insert|update|delete|merge)\\b|\\bfinal\\s+table\\s*\\(", Pattern.CASE_INSENSITIVE);
    private static final Set<String> STATEMENT_METHODS = Set.of("execute", "executeUpdate", "executeLargeUpdate",
            "executeQuery", "addBatch");

    /**
     * Hikari keeps its type (Flyway derives its own data source from it) but takes its
     * physical connections from a guarded H2 data source.
     */
    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource pool && pool.getJdbcUrl() != null
                && pool.getJdbcUrl().startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(pool.getJdbcUrl());
            h2.setUser(pool.getUsername());
            h2.setPassword(pool.getPassword());
            pool.setDataSource(new Guarded(h2));
        }
        return bean;
    }

    static void check(String sql) throws SQLException {
        if (sql == null || !WRITE.matcher(sql).find() || "main".equals(Thread.currentThread().getName())) {
            return;
        }
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
            throw new SQLException("a write outside ScopedTransactions.write, on thread "
                    + Thread.currentThread().getName() + ": " + sql.strip().lines().findFirst().orElse("")
                            .toLowerCase(Locale.ROOT));
        }
    }

    private static final class Guarded extends DelegatingDataSource {

        Guarded(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            return guard(super.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return guard(super.getConnection(username, password));
        }

        private static Connection guard(Connection connection) {
            return proxy(Connection.class, connection, (method, args) -> {
                if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String sql) {
                    check(sql);
                }
                Object result = method.invoke(connection, args);
                if (result instanceof Statement statement && method.getName().equals("createStatement")) {
                    return proxy(Statement.class, statement, (inner, innerArgs) -> {
                        if (STATEMENT_METHODS.contains(inner.getName()) && innerArgs != null
                                && innerArgs[0] instanceof String sql) {
                            check(sql);
                        }
                        return inner.invoke(statement, innerArgs);
                    });
                }
                return result;
            });
        }
    }

    private interface Call {
        Object on(Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        InvocationHandler handler = (self, method, args) -> {
            try {
                return call.on(method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
