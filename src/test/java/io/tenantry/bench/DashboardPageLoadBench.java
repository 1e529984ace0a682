package io.tenantry.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.tenantry.support.Browser;

/**
 * Not a test: the dashboard half of bench/dashboard.sh, run by it against a server it
 * seeded (1,000 orgs, 20,000 agents, usage). Its name keeps it out of the normal test run.
 * For each page, the time from navigation until the page's content is on screen, five
 * times after three warm-up rounds; prints the medians and the API calls of the last load.
 */
class DashboardPageLoadBench {

    /** A page as the bench names it, its address, and what shows its content is on screen. */
    record Page(String label, String hash, String content) {
    }

    /** Milliseconds from navigation until the page's content is on screen, from an empty page. */
    private static long load(Browser browser, Page page) {
        browser.blank();
        long started = System.nanoTime();
        browser.go("/" + page.hash());
        browser.find(page.content());
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }

    @Test
    void measure() throws Exception {
        String port = System.getenv("BENCH_PORT");
        Assumptions.assumeTrue(port != null, "run by bench/dashboard.sh, which sets BENCH_PORT");
        String org = System.getenv("BENCH_ORG");
        List<Page> pages = List.of(
                new Page("#/dashboard", "#/dashboard", "home-page section.currency [data-figure=revenue]"),
                new Page("#/dashboard (chart drawn)", "#/dashboard", "home-page money-chart canvas"),
                new Page("#/organizations (cards with figures)", "#/organizations",
                        "ul.clients li.org [data-figure=revenue]"),
                new Page("#/organizations/{org}/agents", "#/organizations/" + org + "/agents", "table.list tbody tr"),
                new Page("#/organizations/{org}/billing", "#/organizations/" + org + "/billing",
                        "[data-figure=revenue]"),
                new Page("#/agents", "#/agents", "table.list tbody tr"),
                new Page("#/users", "#/users", "table.users tbody tr"),
                new Page("#/billing", "#/billing", "table.overview tbody tr"),
                new Page("#/settings", "#/settings", "table.models tbody tr"),
                new Page("#/audit", "#/audit", "audit-page table.list tbody tr, audit-page .empty"));
        try (Browser browser = Browser.open(Integer.parseInt(port))) {
            browser.go("/");
            browser.type("input[name=email]", "bench-owner@bench.example");
            browser.type("input[name=password]", "bench owner password");
            browser.clickButton("Sign in");
            browser.find(".who");
            // Three rounds over every page first: the server's JIT and caches and the browser's module
            // cache warm up, so the figures are those of a server that has been running, page after page.
            for (int round = 0; round < 3; round++) {
                for (Page page : pages) {
                    load(browser, page);
                }
            }
            System.out.printf("%n%-45s %12s %30s %s%n", "page", "median ms", "runs (ms)", "on the last load");
            for (Page page : pages) {
                List<Long> runs = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    runs.add(load(browser, page));
                }
                List<Long> sorted = runs.stream().sorted().toList();
                Object apiCalls = browser.script("return performance.getEntriesByType('resource')"
                        + ".filter(e => new URL(e.name).pathname.startsWith('/api/')).length");
                System.out.printf("%-45s %12d %30s %3s API calls%n", page.label(),
                        sorted.get(sorted.size() / 2), runs, apiCalls);
            }
        }
    }
}
