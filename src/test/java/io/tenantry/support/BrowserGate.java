package io.tenantry.support;

import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Browser tests need Debian's chromium and chromium-driver. Without them the tests are
 * skipped and the output says so plainly, unless CI=true or TENANTRY_REQUIRE_BROWSER=true,
 * where they fail instead (.ci/run installs both).
 */
public class BrowserGate implements ExecutionCondition {

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = !Files.isExecutable(Browser.CHROMIUM) ? Browser.CHROMIUM.toString()
                : !Files.isExecutable(Browser.CHROMEDRIVER) ? Browser.CHROMEDRIVER.toString() : null;
        if (missing == null) {
            return ConditionEvaluationResult.enabled("headless Chromium is installed");
        }
        return MissingTool.skipOrFail("Browser tests", missing, "apt-get install -y chromium chromium-driver",
                "TENANTRY_REQUIRE_BROWSER", WARNED);
    }
}
