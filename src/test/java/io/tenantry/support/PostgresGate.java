package io.tenantry.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Decides the PostgreSQL run before any test starts: when PostgreSQL cannot be reached the
 * run is skipped and says so plainly, unless CI=true or TENANTRY_REQUIRE_POSTGRES=true,
 * where every test fails instead. Registered for all tests through JUnit's autodetection.
 */
public class PostgresGate implements ExecutionCondition {

    private static volatile String unreachable;
    private static volatile boolean checked;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!TestDatabase.postgres()) {
            if (required() && Boolean.getBoolean("tenantry.test.postgres-run-skipped")) {
                throw new IllegalStateException("The PostgreSQL run is required here (CI=true or "
                        + "TENANTRY_REQUIRE_POSTGRES=true), so -DskipPostgresRun=true is refused.");
            }
            return ConditionEvaluationResult.enabled("H2 run");
        }
        check();
        if (unreachable == null) {
            return ConditionEvaluationResult.enabled("PostgreSQL is reachable");
        }
        if (required()) {
            throw new IllegalStateException("PostgreSQL is required for this run (CI=true or "
                    + "TENANTRY_REQUIRE_POSTGRES=true) but cannot be reached: " + unreachable);
        }
        return ConditionEvaluationResult.disabled("PostgreSQL run SKIPPED: " + unreachable);
    }

    private static synchronized void check() {
        if (checked) {
            return;
        }
        checked = true;
        try (Connection ignored = DriverManager.getConnection(TestDatabase.adminUrl(), TestDatabase.adminUser(),
                TestDatabase.adminPassword())) {
            unreachable = null;
        } catch (SQLException e) {
            unreachable = "cannot connect to " + TestDatabase.adminUrl() + " as " + TestDatabase.adminUser() + " ("
                    + e.getMessage() + ")";
            if (!required()) {
                System.err.println("""

                        ************************************************************************
                        * PostgreSQL run SKIPPED: %s
                        * Only the H2 run tested this build. Start PostgreSQL (see README) and
                        * run the tests again, or set TENANTRY_REQUIRE_POSTGRES=true to fail.
                        ************************************************************************
                        """.formatted(unreachable));
            }
        }
    }

    private static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI"))
                || "true".equalsIgnoreCase(System.getenv("TENANTRY_REQUIRE_POSTGRES"));
    }
}
