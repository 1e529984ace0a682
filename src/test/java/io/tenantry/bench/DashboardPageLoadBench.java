package io.tenantry.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.tenantry.support.Browser;

/**
 * Not a test: the dashboard half of bench/dashboard.sh, run by it against a server it
 * seeded (1,000 orgs, 20,000 agents). Its name keeps it out of the normal test run. For
 * each page, the time from navigation until the page's content is on screen, five times;
 * prints the medians.
 */
class DashboardPageLoadBench {

    @Test
    void measure() throws Exception {
        String port = System.getenv("BENCH_PORT");
        Assumptions.assumeTrue(port != null, "run by bench/dashboard.sh, which sets BENCH_PORT");
        String org = System.getenv("BENCH_ORG");
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("#/organizations", "li.org");
        pages.put("#/organizations/" + org + "/agents", "table.list tbody tr");
        pages.put("#/organizations/" + org + "/billing", "[data-figure=revenue]");
        pages.put("#/agents", "table.list tbody tr");
        pages.put("#/users", "table.users tbody tr");
        pages.put("#/billing", "table.overview tbody tr");
        pages.put("#/settings", "table.models tbody tr");
        pages.put("#/audit", "table.list tbody tr");
        try (Browser browser = Browser.open(Integer.parseInt(port))) {
            browser.go("/");
            browser.type("input[name=email]", "bench-owner@bench.example");
            browser.type("input[name=password]", "bench owner password");
            browser.clickButton("Sign in");
            browser.find(".who");
            System.out.printf("%n%-45s %12s %30s%n", "page", "median ms", "runs (ms)");
            for (Map.Entry<String, String> page : pages.entrySet()) {
                List<Long> runs = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    browser.blank();
                    long started = System.nanoTime();
                    browser.go("/" + page.getKey());
                    browser.find(page.getValue());
                    long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
                    if (i > 0) {
                        runs.add(millis); // the first load warms the browser's module cache
                    }
                }
                List<Long> sorted = runs.stream().sorted().toList();
                System.out.printf("%-45s %12d %30s%n", page.getKey().replace(org, "{org}"),
                        sorted.get(sorted.size() / 2), runs);
            }
        }
    }
}
