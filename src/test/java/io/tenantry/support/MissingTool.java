package io.tenantry.support;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/**
 * What tests do when a tool they need is not installed: where CI=true or the tests' own
 * variable is true they fail, saying how to install it; elsewhere they are skipped, and the
 * output says so once in a banner nobody can miss.
 */
final class MissingTool {

    private MissingTool() {
    }

    static ConditionEvaluationResult skipOrFail(String tests, String missing, String install, String requireVariable,
            AtomicBoolean warned) {
        if ("true".equals(System.getenv("CI")) || "true".equals(System.getenv(requireVariable))) {
            throw new IllegalStateException(tests + " are required here (CI=true or " + requireVariable
                    + "=true) but " + missing + " is missing: " + install);
        }
        if (warned.compareAndSet(false, true)) {
            System.err.println("""

                    ************************************************************************
                    * %s SKIPPED: %s is missing.
                    * Install it with: %s
                    ************************************************************************
                    """.formatted(tests, missing, install));
        }
        return ConditionEvaluationResult.disabled(tests + " SKIPPED: " + missing + " is missing");
    }
}
