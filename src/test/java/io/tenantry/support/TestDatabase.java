package io.tenantry.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Gives every Spring test context a database of its own, fresh and migrated by the app:
 * an in-memory H2 database in the H2 run, or in the PostgreSQL run a new database owned by
 * {@value #OWNER_ROLE}, with the app connecting as {@value #APP_ROLE}, which is neither
 * superuser nor owner, so row-level security binds it as it would in production.
 * The run is chosen by the system property {@code tenantry.test.database} (h2 or postgres).
 */
public class TestDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    public static final String OWNER_ROLE = "tenantry_owner";
    public static final String APP_ROLE = "tenantry_app";
    private static final String PREFIX = "tenantry_test_";
    /** Longer than any build runs: a database this old is a leftover of a build that died. */
    private static final long ABANDONED_AFTER_SECONDS = 6 * 3600;
    private static final List<String> CREATED = new ArrayList<>();
    private static boolean cleaned;

    public static boolean postgres() {
        return "postgres".equals(System.getProperty("tenantry.test.database", "h2"));
    }

    static String adminUrl() {
        return env("TENANTRY_TEST_PG_ADMIN_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    }

    static String adminUser() {
        return env("TENANTRY_TEST_PG_ADMIN_USER", "postgres");
    }

    static String adminPassword() {
        return env("TENANTRY_TEST_PG_ADMIN_PASSWORD", "");
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        // Time-driven billing jobs would change a test's months under it; tests run them by hand.
        TestPropertyValues.of("tenantry.billing.auto-close=false", "tenantry.billing.budget-check-interval=PT24H",
                "tenantry.sessions.sweep-interval=PT24H").applyTo(context);
        // Test contexts stay cached while the suite runs; idle pools of 16 each would use up
        // PostgreSQL's 100 connections after a few contexts, and so would the connections a
        // busy test opened if they stayed open idle (Hikari's default: ten minutes), so a
        // context waiting in the cache closes all but one of them after ten seconds.
        TestPropertyValues.of("spring.datasource.hikari.minimum-idle=1", "spring.datasource.hikari.maximum-pool-size=10",
                "spring.datasource.hikari.idle-timeout=10000").applyTo(context);
        // Test clients say who they are with X-Forwarded-For (see Api), as behind a proxy on
        // this host. A test of the default, with no proxy trusted, sets tenantry.test.no-proxy.
        if (!context.getEnvironment().getProperty("tenantry.test.no-proxy", Boolean.class, false)) {
            TestPropertyValues.of("tenantry.trusted-proxies=127.0.0.1/32").applyTo(context);
        }
        // Each context's node keeps its search index apart, as each server keeps its own.
        try {
            TestPropertyValues.of("tenantry.data-dir=" + java.nio.file.Files.createTempDirectory("tenantry-test"))
                    .applyTo(context);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!postgres()) {
            context.getBeanFactory().addBeanPostProcessor(new WritesInTransactions());
            String name = PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            TestPropertyValues.of(
                    "tenantry.db.url=jdbc:h2:mem:" + name
                            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                    "tenantry.db.user=sa", "tenantry.db.password=")
                    .applyTo(context);
            return;
        }
        java.util.Map<String, String> database = postgresEnvironment();
        TestPropertyValues.of(
                "tenantry.db.url=" + database.get("TENANTRY_DB_URL"),
                "tenantry.db.user=" + database.get("TENANTRY_DB_USER"),
                "tenantry.db.password=" + database.get("TENANTRY_DB_PASSWORD"),
                "tenantry.db.migration-user=" + database.get("TENANTRY_DB_MIGRATION_USER"),
                "tenantry.db.migration-password=" + database.get("TENANTRY_DB_MIGRATION_PASSWORD"))
                .applyTo(context);
    }

    /**
     * A fresh PostgreSQL database, as the environment variables a server process reads
     * (TENANTRY_DB_URL and the rest): the app role for the app, the owner for migrations.
     */
    public static java.util.Map<String, String> postgresEnvironment() {
        // The creation time is in the name, so a later build can tell a leftover from a live database.
        String name = PREFIX + (System.currentTimeMillis() / 1000) + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        createPostgresDatabase(name);
        String url = adminUrl().substring(0, adminUrl().lastIndexOf('/') + 1) + name;
        return java.util.Map.of("TENANTRY_DB_URL", url, "TENANTRY_DB_USER", APP_ROLE, "TENANTRY_DB_PASSWORD", APP_ROLE,
                "TENANTRY_DB_MIGRATION_USER", OWNER_ROLE, "TENANTRY_DB_MIGRATION_PASSWORD", OWNER_ROLE);
    }

    /** Runs {@code statement} as the PostgreSQL superuser (a role a test makes and drops). */
    public static void asAdministrator(String statement) {
        asAdministrator(adminUrl(), statement);
    }

    /** The same, in the database at {@code url}. */
    public static void asAdministrator(String url, String statement) {
        try (Connection admin = DriverManager.getConnection(url, adminUser(), adminPassword());
                Statement sql = admin.createStatement()) {
            sql.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run as the PostgreSQL superuser: " + statement, e);
        }
    }

    private static synchronized void createPostgresDatabase(String name) {
        try (Connection admin = DriverManager.getConnection(adminUrl(), adminUser(), adminPassword());
                Statement sql = admin.createStatement()) {
            if (!cleaned) {
                dropAbandonedTestDatabases(admin);
                ensureRole(sql, OWNER_ROLE, "nosuperuser bypassrls");
                ensureRole(sql, APP_ROLE, "nosuperuser nobypassrls");
                Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropOwnDatabases, "drop-test-databases"));
                cleaned = true;
            }
            sql.execute("create database " + name + " owner " + OWNER_ROLE);
            CREATED.add(name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the PostgreSQL test database " + name, e);
        }
    }

    private static void ensureRole(Statement sql, String role, String attributes) throws SQLException {
        try (ResultSet rs = sql.executeQuery("select 1 from pg_roles where rolname = '" + role + "'")) {
            if (!rs.next()) {
                sql.execute("create role " + role + " login " + attributes + " password '" + role + "'");
                return;
            }
        }
        sql.execute("alter role " + role + " login " + attributes + " password '" + role + "'");
    }

    /**
     * Drops the test databases of builds that died without cleaning up: those created more
     * than six hours ago (the time is in the name). Another build running on the same
     * PostgreSQL keeps its databases; so do older-style names, which say no age.
     */
    private static void dropAbandonedTestDatabases(Connection admin) throws SQLException {
        List<String> names = new ArrayList<>();
        long now = System.currentTimeMillis() / 1000;
        try (Statement sql = admin.createStatement();
                ResultSet rs = sql.executeQuery("select datname from pg_database where datname like '" + PREFIX + "%'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        try (Statement sql = admin.createStatement()) {
            for (String old : names) {
                String[] parts = old.substring(PREFIX.length()).split("_");
                if (parts.length == 2 && parts[0].matches("\\d{10}")
                        && now - Long.parseLong(parts[0]) > ABANDONED_AFTER_SECONDS) {
                    sql.execute("drop database if exists " + old + " with (force)");
                }
            }
        }
    }

    /** At the end of this build's run: its own databases, and nobody else's. */
    private static synchronized void dropOwnDatabases() {
        try (Connection admin = DriverManager.getConnection(adminUrl(), adminUser(), adminPassword());
                Statement sql = admin.createStatement()) {
            for (String name : CREATED) {
                sql.execute("drop database if exists " + name + " with (force)");
            }
        } catch (SQLException e) {
            System.err.println("[TestDatabase] could not drop this run's databases: " + e.getMessage());
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
