package io.tenantry.support;

import java.nio.file.Files;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Browser tests need Debian's chromium and chromium-driver. Without them the tests are
 * skipped and the output says so plainly, unless CI=true or TENANTRY_REQUIRE_BROWSER=true,
 * where they fail instead (.ci/run installs both).
 */
public class BrowserGate implements ExecutionCondition {

    private static volatile boolean warned;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = !Files.isExecutable(Browser.CHROMIUM) ? Browser.CHROMIUM.toString()
                : !Files.isExecutable(Browser.CHROMEDRIVER) ? Browser.CHROMEDRIVER.toString() : null;
        if (missing == null) {
            return ConditionEvaluationResult.enabled("headless Chromium is installed");
        }
        if ("true".equals(System.getenv("CI")) || "true".equals(System.getenv("TENANTRY_REQUIRE_BROWSER"))) {
            throw new IllegalStateException("Browser tests are required here (CI=true or "
                    + "TENANTRY_REQUIRE_BROWSER=true) but " + missing + " is missing: "
                    + "apt-get install -y chromium chromium-driver");
        }
        if (!warned) {
            warned = true;
            System.err.println("""

                    ************************************************************************
                    * Browser tests SKIPPED: %s is missing.
                    * Install it with: apt-get install -y chromium chromium-driver
                    ************************************************************************
                    """.formatted(missing));
        }
        return ConditionEvaluationResult.disabled("Browser tests SKIPPED: " + missing + " is missing");
    }
}
