package io.tenantry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import tools.jackson.databind.JsonNode;

import io.tenantry.gateway.FakeUpstream;
import io.tenantry.support.Api;
import io.tenantry.support.Browser;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.NodeTools;
import io.tenantry.support.BrowserGate;
import io.tenantry.support.Platform;
import io.tenantry.support.TenantryTest;

/**
 * The guide's flows in a real browser (headless Chromium), on a database of its own so
 * that the first visit meets the create-owner form. The tests build on each other in
 * order; each saves screenshots under target/screenshots.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=dashboard-browser")
@ExtendWith(BrowserGate.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    static final String BOUND_EMAIL = "bound@tenantry.test";
    static final String DEFAULT_ORG = "00000000-0000-0000-0000-000000000001";

    @LocalServerPort
    int port;

    Browser browser;
    Api api;
    String owner;
    String orgA;
    String orgB;
    String agentA;
    String agentB;

    @BeforeAll
    void open() throws Exception {
        MonthEdge.awayFromMidnight();
        browser = Browser.open(port);
        api = new Api(port);
    }

    @AfterAll
    void close() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    /** The value once it stops being null or the empty string, within five seconds (the page saves asynchronously). */
    static String eventually(Supplier<String> read) throws InterruptedException {
        String value = read.get();
        for (int i = 0; i < 100 && (value == null || value.isEmpty()); i++) {
            Thread.sleep(50);
            value = read.get();
        }
        return value;
    }

    /** Picks an organization in the switcher ("" for all). */
    void pick(String orgId) {
        new Select(browser.find("org-switcher select")).selectByValue(orgId);
    }

    /** The e-mail field, Tab to the password, Enter: signing in by keyboard alone. */
    static void signInByKeyboard(Browser browser, String email) {
        browser.find("input[name=email]").sendKeys(email, Keys.TAB, Platform.PASSWORD,
                Keys.ENTER);
    }

    /** Signs out, then in as {@code email} by keyboard alone, and waits for {@code name} to be shown signed in. */
    void switchTo(String email, String name) {
        browser.clickButton("Sign out");
        browser.findWithText("h1", "Sign in to Tenantry");
        signInByKeyboard(browser, email);
        browser.findWithText(".who", name);
    }

    String orgNamed(String name) {
        for (JsonNode org : api.get("/api/organizations?limit=500").as(owner).send().expect(200).items()) {
            if (org.path("name").asString().equals(name)) {
                return org.path("id").asString();
            }
        }
        throw new AssertionError("no organization named " + name);
    }

    @Test
    @Order(1)
    void theFirstVisitCreatesTheOwner() throws Exception {
        browser.go("/");
        browser.findWithText("h1", "Create the owner account");
        assertThat(browser.consoleErrors()).as("a first visit asks the server nothing it refuses").isEmpty();
        browser.screenshot("01-setup");
        browser.type("input[name=name]", "Olive Owner");
        browser.type("input[name=email]", Platform.OWNER_EMAIL);
        browser.type("input[name=password]", Platform.PASSWORD);
        browser.clickButton("Create owner");

        browser.findWithText(".who", "Olive Owner");
        assertThat(browser.all(".top nav a").stream().map(a -> a.getText().trim()).toList())
                .contains("Agents", "Organizations");
        // Signed out, the page opened afresh is the sign-in, without a refusal on the console;
        // signed in, the page opened afresh is the user's.
        browser.clickButton("Sign out");
        browser.findWithText("h1", "Sign in to Tenantry");
        browser.reload();
        browser.findWithText("h1", "Sign in to Tenantry");
        assertThat(browser.consoleErrors()).as("the sign-in asks the server nothing it refuses").isEmpty();
        signInByKeyboard(browser, Platform.OWNER_EMAIL);
        browser.findWithText(".who", "Olive Owner");
        browser.reload();
        browser.findWithText(".who", "Olive Owner");
        owner = Platform.login(api, Platform.OWNER_EMAIL, Platform.PASSWORD);
        // No client organization yet: no switcher.
        browser.go("/#/agents");
        browser.findWithText("main h1", "Agents");
        browser.findWithText(".empty", "No agents");
        assertThat(browser.all("org-switcher select")).isEmpty();
        // The first Tab reaches a link past the header's many links to the page (browser tester).
        browser.reload();
        browser.findWithText("main h1", "Agents");
        browser.find("body").sendKeys(Keys.TAB);
        assertThat(browser.script("return document.activeElement.textContent")).isEqualTo("Skip to content");
        browser.find("a.skip").sendKeys(Keys.ENTER);
        assertThat(browser.script("return document.activeElement.tagName")).isEqualTo("MAIN");
        assertThat(browser.script("return location.hash")).isEqualTo("#/agents");
    }

    @Test
    @Order(2)
    void anOrganizationIsCreatedWithTheSlugGeneratedAsTheNameIsTyped() throws Exception {
        browser.go("/#/organizations");
        browser.findWithText(".empty", "show an org");
        browser.clickButton("New Organization");
        assertThat(browser.script("return document.activeElement.name")).as("the form takes the typing at once")
                .isEqualTo("name");
        browser.type("organization-form input[name=name]", "Acme <b>Bold</b> & Co");
        assertThat(browser.find("organization-form input[name=slug]").getDomProperty("value"))
                .isEqualTo("acme-b-bold-b-co");
        browser.type("organization-form input[name=billingRatePerAgent]", "120.00");
        browser.screenshot("02-new-organization");
        browser.clickButton("Create");

        var card = browser.findWithText("li.org", "acme-b-bold-b-co");
        assertThat(browser.text("organizations-page .clients-head")).isEqualTo("Client organizations");
        // The name is shown as text, never as markup.
        assertThat(card.getText()).contains("Acme <b>Bold</b> & Co");
        assertThat(browser.all("li.org b")).isEmpty();
        orgA = orgNamed("Acme <b>Bold</b> & Co");
        card.findElement(By.xpath(".//button[normalize-space(.)='Edit']")).click();
        assertThat(browser.find("organization-form input[name=slug]").getDomAttribute("readonly")).isNotNull();
        assertThat(browser.text("organization-form #slug-note")).contains("Slugs are permanent");
        browser.clickButton("Cancel");
        orgB = api.post("/api/organizations").as(owner).json(Map.of("name", "Beta Corp", "currency", "EUR",
                "billingRatePerAgent", "80.00")).send().expect(201).id();

        browser.clickButton("New Organization");
        browser.type("organization-form input[name=name]", "Beta Corp");
        browser.clickButton("Create");
        browser.findWithText("organization-form .error", "already taken");
        browser.screenshot("03-organization-error");
        browser.clickButton("Cancel");
    }

    @Test
    @Order(3)
    void anAgentIsAssignedAndThenMovedToAnotherOrganization() throws Exception {
        agentA = api.post("/api/agents").as(owner).json(Map.of("name", "Ada Assistant")).send().expect(201).id();
        agentB = api.post("/api/agents").as(owner).org(orgB).json(Map.of("name", "Bea Bot")).send().expect(201).id();

        browser.go("/#/organizations/" + orgA + "/agents");
        browser.findWithText("h1", "Acme <b>Bold</b> & Co");
        browser.findWithText("option", "Ada Assistant");
        new Select(browser.find("select[name=agent]"))
                .selectByValue(agentA);
        browser.clickButton("Assign");
        browser.findWithText("table.list tbody tr", "Ada Assistant");
        // The switcher shows the organization that is open, not "All organizations".
        browser.waitUntil("the switcher shows the open organization",
                () -> orgA.equals(browser.find("org-switcher select").getDomProperty("value")));
        // Agents of every other organization are offered; finding by name narrows them.
        browser.findWithText("select[name=agent]", "Bea Bot");
        browser.type("input[aria-label='Find an agent to assign']", "Nobody");
        browser.waitUntilGone("select[name=agent]", "Bea Bot");
        browser.type("input[aria-label='Find an agent to assign']", "Bea");
        browser.findWithText("select[name=agent]", "Bea Bot");
        browser.screenshot("04-organization-agents");

        // Picking another organization in the switcher opens that organization's page.
        pick(orgB);
        browser.findWithText("h1", "Beta Corp");
        assertThat(browser.url()).endsWith("#/organizations/" + orgB + "/agents");
        browser.findWithText("option", "Ada Assistant");
        new Select(browser.find("select[name=agent]")).selectByValue(agentA);
        browser.clickButton("Assign");
        // It remembers nothing yet: a plain confirmation (test 25 moves it with memory).
        browser.findWithText("dialog[open]", "is billed to Beta Corp from the move on");
        browser.acceptConfirmation();
        browser.findWithText("table.list tbody tr", "Ada Assistant");
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().text("clientOrgId")).isEqualTo(orgB);

        // Back in the first org: it no longer holds the agent.
        api.post("/api/agents/" + agentA + "/assign-org").as(owner).json(Map.of("orgId", orgA)).send().expect(200);
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().text("clientOrgId")).isEqualTo(orgA);
    }

    @Test
    @Order(4)
    void deletingIsRefusedWhileAgentsAreAssignedWithTheReason() throws Exception {
        browser.go("/#/organizations");
        // Each organization has its own address, and the back button returns to the list.
        browser.findWithText("li.org", "acme-b-bold-b-co").findElement(By.cssSelector("a.title"))
                .click();
        browser.findWithText("h1", "Acme <b>Bold</b> & Co");
        assertThat(browser.url()).endsWith("#/organizations/" + orgA + "/agents");
        browser.back();
        var card = browser.findWithText("li.org", "acme-b-bold-b-co");
        assertThat(card.findElement(By.cssSelector(".agent-count")).getText()).isEqualTo("1");
        card.findElement(By.xpath(".//button[normalize-space(.)='Delete']")).click();
        // The server's reason comes first, with where to fix it, and no delete button is offered.
        var dialog = browser.findWithText("dialog[open]", "cannot be deleted yet");
        assertThat(dialog.getText()).contains("1 agent assigned");
        assertThat(dialog.findElement(By.linkText("Unassign its agents")).getDomAttribute("href"))
                .isEqualTo("#/organizations/" + orgA + "/agents");
        assertThat(browser.all("dialog[open] button.confirm")).isEmpty();
        // A modal dialog: focus starts inside it, on the safe choice.
        assertThat(browser.script("return document.activeElement.closest('dialog') !== null"
                + " && document.activeElement.classList.contains('cancel')")).isEqualTo(true);
        browser.screenshot("05-delete-refused");
        browser.find("dialog[open]").sendKeys(Keys.ESCAPE);
        browser.waitUntil("Escape closes the dialog", () -> browser.all("dialog[open]").isEmpty());
        assertThat(api.get("/api/organizations/" + orgA).as(owner).send().status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void anOwnerSwitchesContextAndTheListFollowsAndSurvivesAReload() throws Exception {
        browser.go("/#/agents");
        // The organization opened last is the context: back to all of them.
        browser.waitUntil("the switcher shows the organization opened last",
                () -> orgA.equals(browser.find("org-switcher select").getDomProperty("value")));
        pick("");
        browser.findWithText("table.list tbody", "Bea Bot");
        pick(orgA);
        browser.waitUntilGone("table.list tbody", "Bea Bot");
        browser.findWithText("table.list tbody", "Ada Assistant");
        browser.reload();
        browser.findWithText("table.list tbody", "Ada Assistant");
        assertThat(browser.find("org-switcher select").getDomProperty("value")).isEqualTo(orgA);
        assertThat(browser.text("table.list tbody")).doesNotContain("Bea Bot");
        browser.screenshot("06-agents-in-context");
        pick("");
        browser.findWithText("table.list tbody", "Bea Bot");

        // The page's own link, followed on the page, reads the page again: an agent added meanwhile shows.
        String added = api.post("/api/agents").as(owner).org(orgA).json(Map.of("name", "Dora Dispatch")).send()
                .expect(201).id();
        assertThat(browser.text("table.list tbody")).doesNotContain("Dora Dispatch");
        browser.findWithText(".top nav a", "Agents").click();
        browser.findWithText("table.list tbody", "Dora Dispatch");
        assertThat(browser.url()).endsWith("#/agents");
        api.delete("/api/agents/" + added).as(owner).send().expect(204);
    }

    @Test
    @Order(6)
    void anAgentIsCreatedInThePickedOrganizationAndPaused() throws Exception {
        browser.go("/#/agents");
        pick(orgB);
        browser.clickButton("New Agent");
        browser.type("agents-page input[name=name]", "Cleo Clerk");
        browser.clickButton("Create");
        var row = browser.findWithText("table.list tbody tr", "Cleo Clerk");
        assertThat(row.getText()).contains("Beta Corp").contains("active");
        row.findElement(By.xpath(".//button[normalize-space(.)='Pause']")).click();
        // A pause needs a reason: the dialog's Pause waits for one, and the reason goes on the record.
        browser.click("dialog.confirm button.confirm");
        browser.find("dialog.confirm textarea.reason");
        browser.type("dialog.confirm textarea.reason", "Going on holiday");
        browser.screenshot("06b-pause-reason");
        browser.click("dialog.confirm button.confirm");
        browser.findWithText("table.list tbody tr", "paused");
        browser.findWithText("table.list tbody tr", "Resume");
        assertThat(api.get("/api/interventions?action=pause").org(orgB).as(owner).send().expect(200).body())
                .contains("Going on holiday");
        pick("");
    }

    @Test
    @Order(7)
    void theBillingTabShowsTheSameNumbersAsTheApi() throws Exception {
        Map<String, Object> event = new HashMap<>(Map.of("agentId", agentA, "eventId", "browser-1", "model", "gpt-4o",
                "inputTokens", 1_000_000, "outputTokens", 250_000, "cachedInputTokens", 0, "occurredAt",
                Instant.now().toString()));
        api.post("/api/usage").as(owner).json(event).send().expect(201);
        JsonNode statement = api.get("/api/organizations/" + orgA + "/billing?month="
                + YearMonth.now(ZoneOffset.UTC)).as(owner).send().expect(200).json();

        browser.go("/#/organizations/" + orgA + "/billing");
        browser.find("[data-figure=revenue]");
        assertThat(browser.text("[data-figure=revenue]")).isEqualTo("120.00 USD");
        assertThat(statement.path("revenue").asString()).isEqualTo("120.00");
        assertThat(browser.text("[data-figure=cost]")).isEqualTo("5.00 USD");
        assertThat(statement.path("cost").asString()).isEqualTo("5.00");
        assertThat(browser.text("[data-figure=margin]")).isEqualTo(statement.path("margin").asString() + " %");
        assertThat(browser.text("[data-figure=tokens]")).isEqualTo("1,250,000");
        assertThat(browser.find("a[download]").getDomAttribute("href"))
                .isEqualTo("/api/organizations/" + orgA + "/billing/" + YearMonth.now(ZoneOffset.UTC) + ".csv");
        assertThat(String.valueOf(browser.script("return fetch(arguments[0]).then(r => r.status + ' '"
                + " + r.headers.get('content-type'))", browser.find("a[download]").getDomAttribute("href"))))
                .startsWith("200 text/csv");
        browser.waitUntil("the billing chart is drawn", () -> !browser.all("organization-billing money-chart canvas")
                .isEmpty());
        // The chart shows the month the picker shows, by name, and leaves out the months before the org existed.
        assertThat(browser.script("return document.querySelector('organization-billing money-chart').selected"))
                .isEqualTo(new Select(browser.find("organization-billing select[aria-label=Month]"))
                        .getFirstSelectedOption().getDomAttribute("value"));
        assertThat(String.valueOf(browser.script("return document.querySelector('organization-billing money-chart')"
                + ".chart.getOption().xAxis[0].data.join(',')"))).isEqualTo(YearMonth.now(ZoneOffset.UTC)
                        .format(java.time.format.DateTimeFormatter.ofPattern("MMM yyyy", java.util.Locale.US)));
        browser.screenshot("07-billing");

        // A per-agent rate, saved on Enter, changes the revenue.
        var rate = browser.find("input.rate");
        rate.clear();
        rate.sendKeys("150.00");
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().json().path("billingRateOverride").isNull())
                .as("typing alone saves nothing").isTrue();
        rate.sendKeys(Keys.ENTER);
        browser.findWithText("[data-figure=revenue]", "150.00 USD");
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().text("billingRateOverride"))
                .isEqualTo("150.00");
        // Saved as the field is left, it says so.
        assertThat(browser.text("organization-billing p.notice")).contains("rate is now 150.00 USD");
        // Escape puts back the rate saved, and saves nothing.
        browser.waitUntil("the saved rate is shown", () -> "150.00".equals(browser.find("input.rate")
                .getDomProperty("value")));
        browser.find("input.rate").sendKeys(Keys.END, "9");
        browser.find("input.rate").sendKeys(Keys.ESCAPE);
        assertThat(browser.find("input.rate").getDomProperty("value")).isEqualTo("150.00");
        Thread.sleep(300);
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().text("billingRateOverride"))
                .isEqualTo("150.00");
        // The statement ends with its totals.
        assertThat(browser.text("[data-figure=total-revenue]")).isEqualTo("150.00 USD");
        assertThat(browser.text("[data-figure=total-cost]")).isEqualTo("5.00 USD");

        // Passing through the field writes nothing, not even over a rate another operator set since.
        browser.waitUntil("the saved rate is shown", () -> "150.00".equals(browser.find("input.rate")
                .getDomProperty("value")));
        api.patch("/api/agents/" + agentA).as(owner).json(Map.of("billingRateOverride", "160.00")).send().expect(200);
        browser.find("input.rate").click();
        browser.find("organization-billing h2, organization-billing caption, main h1").click();
        Thread.sleep(300);
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().text("billingRateOverride"))
                .isEqualTo("160.00");
        api.patch("/api/agents/" + agentA).as(owner).json(Map.of("billingRateOverride", "150.00")).send().expect(200);
    }

    @Test
    @Order(8)
    void lateUsageOfAClosedMonthIsGroupedUnderOneHeadingWithItsSubtotal() throws Exception {
        YearMonth last = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        String inLastMonth = last.atDay(15).atTime(12, 0).toInstant(ZoneOffset.UTC).toString();
        // Bea Bot was created in Beta Corp, so its usage from before it existed is Beta Corp's: last month
        // has something to close, and what arrives after the close is late.
        api.post("/api/usage").as(owner).json(Map.of("agentId", agentB, "eventId", "browser-on-time", "model",
                "gpt-4o", "inputTokens", 1_000, "outputTokens", 0, "occurredAt", inLastMonth)).send().expect(201);
        api.post("/api/billing/close").as(owner).json(Map.of("month", last.toString())).send().expect(200);
        api.post("/api/usage").as(owner).json(Map.of("agentId", agentB, "eventId", "browser-late", "model", "gpt-4o",
                "inputTokens", 0, "outputTokens", 1_000_000, "occurredAt", inLastMonth)).send().expect(201);

        browser.go("/#/organizations/" + orgB + "/billing");
        var group = browser.findWithText("tbody.adjustments button", "Adjustments for earlier months (1)");
        // No EUR rate yet: amounts in USD, said so.
        assertThat(browser.text("[data-figure=adjustments]")).isEqualTo("10.00 USD");
        assertThat(browser.text("[data-figure=total-cost]")).isEqualTo("10.00 USD");
        assertThat(group.getDomAttribute("aria-expanded")).isEqualTo("false");
        assertThat(browser.text("table.statement")).doesNotContain("late usage of");
        group.click();
        String lastName = last.format(java.time.format.DateTimeFormatter.ofPattern("MMM yyyy", java.util.Locale.US));
        browser.findWithText("tbody.adjustments tr", "late usage of " + lastName);
        assertThat(browser.find("tbody.adjustments button").getDomAttribute("aria-expanded")).isEqualTo("true");
        browser.screenshot("07-billing-adjustments");
    }

    @Test
    @Order(9)
    void theOverviewListsEveryOrganizationSortableWithTotalsPerCurrency() throws Exception {
        browser.go("/#/billing");
        // Beta Corp, opened last, is the context: the page is its Billing & Costs, its statement.
        browser.findWithText("billing-overview .page-head", "Beta Corp");
        browser.findWithText("billing-overview [data-figure=revenue]", "160.00");
        assertThat(browser.all("table.overview")).isEmpty();
        browser.screenshot("10-billing-picked-org");
        pick("");
        browser.findWithText("table.overview tfoot", "Total USD");
        assertThat(browser.text("table.overview tfoot")).contains("Total EUR");
        // A row's warning is in words under the table, not only in its badge's tooltip.
        assertThat(browser.findWithText("billing-overview ul.warnings li", "Beta Corp").getText())
                .contains("No exchange rate from USD to EUR").contains("Settings → Exchange rates")
                .doesNotContain("->");
        // A chart per currency of the clients billed, each described in words.
        browser.find("org-money-chart canvas");
        assertThat(browser.all("org-money-chart")).extracting(chart -> chart.findElement(By.cssSelector(".plot"))
                .getDomAttribute("aria-label")).anySatisfy(label -> assertThat(label).startsWith("USD clients")
                        .contains("Acme <b>Bold</b> & Co: revenue 150.00 USD"))
                .anySatisfy(label -> assertThat(label).startsWith("EUR clients")
                        .contains("Beta Corp: revenue 160.00 EUR, cost not converted"));
        browser.clickButton("Revenue");
        browser.findWithText("table.overview thead", "Revenue ▼");
        // Sorted within each currency: EUR (Beta Corp, two agents at 80.00), then USD (Acme first, 150.00).
        assertThat(browser.all("table.overview tbody tr").get(0).getText()).contains("Beta Corp").contains("160.00");
        assertThat(browser.all("table.overview tbody tr").get(1).getText()).contains("Acme <b>Bold</b> & Co")
                .contains("150.00");
        browser.screenshot("10-billing-overview");
        pick(orgB);
        browser.findWithText("billing-overview .page-head", "Beta Corp");
        browser.findWithText("billing-overview [data-figure=revenue]", "160.00");
        assertThat(browser.text("billing-overview")).doesNotContain("Acme");
        pick("");
        browser.findWithText("table.overview tbody", "Acme");
        // The operator's own organization is no client row, but is shown apart.
        assertThat(browser.text("table.overview")).doesNotContain("Default organization");
        browser.findWithText("billing-overview .own", "Default organization");

        // The month is in the address: a month picked can be linked to, and Back returns to the one before.
        // Last month is closed, and Acme, created this month, has no statement in it.
        String thisMonth = YearMonth.now(ZoneOffset.UTC).toString();
        String lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString();
        browser.script("const input = document.querySelector('billing-overview input[type=month]');"
                + "input.value = arguments[0]; input.dispatchEvent(new Event('change'));", lastMonth);
        browser.waitUntilGone("table.overview tbody", "Acme");
        browser.findWithText("billing-overview .page-head .badge", "Closed");
        assertThat(browser.url()).endsWith("#/billing/" + lastMonth);
        browser.back();
        browser.findWithText("table.overview tbody", "Acme");
        assertThat(browser.script("return document.querySelector('billing-overview input[type=month]').value"))
                .isEqualTo(thisMonth);
        browser.blank();
        browser.go("/#/billing/" + lastMonth);
        browser.findWithText("billing-overview .page-head .badge", "Closed");
        assertThat(browser.text("table.overview tbody")).contains("Beta Corp").doesNotContain("Acme");
        assertThat(browser.script("return document.querySelector('billing-overview input[type=month]').value"))
                .isEqualTo(lastMonth);
        // A month before any client organization has no table, and says so.
        browser.go("/#/billing/2001-01");
        browser.findWithText("billing-overview p.empty", "No client organization was billed for Jan 2001.");
        assertThat(browser.all("table.overview")).isEmpty();
        // A month the address names that has no bill (malformed, before 2000, not begun) is said so,
        // asked of no one, and leaves no other month's figures under its name.
        browser.go("/#/billing/" + thisMonth);
        browser.findWithText("table.overview tbody", "Acme");
        browser.consoleErrors();
        for (String month : List.of("2199-12", "abc", "1999-12", "2026-13")) {
            browser.go("/#/billing/" + month);
            browser.findWithText("billing-overview p.error", "(“" + month + "”)");
            assertThat(browser.all("table.overview")).as(month).isEmpty();
        }
        assertThat(browser.consoleErrors()).isEmpty();
        browser.go("/#/billing/" + thisMonth);
        browser.findWithText("table.overview tbody", "Acme");
        assertThat(browser.all("billing-overview p.error")).isEmpty();

        // Each organization's card shows the month so far; the own organization sits apart from the clients.
        browser.go("/#/organizations");
        var acme = browser.findWithText("ul.clients li.org", "acme-b-bold-b-co");
        browser.waitUntil("Acme's card shows its month", () -> !acme.findElements(By.cssSelector(
                "[data-figure=revenue]")).isEmpty());
        assertThat(acme.findElement(By.cssSelector("[data-figure=revenue]")).getText()).isEqualTo("150.00 USD");
        assertThat(acme.findElement(By.cssSelector("[data-figure=cost]")).getText()).isEqualTo("5.00 USD");
        assertThat(browser.text("ul.clients")).doesNotContain("Default organization");
        browser.findWithText("section.own-org li.org", "Default organization");
        browser.screenshot("08-organization-cards");
    }

    @Test
    @Order(10)
    void theHomePageShowsTheMonthAtAGlanceWithWhatNeedsAttention() throws Exception {
        api.post("/api/usage").as(owner).json(Map.of("agentId", agentB, "eventId", "browser-unpriced", "model",
                "mistral-large", "inputTokens", 4_000, "outputTokens", 0, "occurredAt", Instant.now().toString()))
                .send().expect(201);
        JsonNode summary = api.get("/api/dashboard").as(owner).send().expect(200).json();
        JsonNode usd = null;
        for (JsonNode currency : summary.path("currencies")) {
            if (currency.path("currency").asString().equals("USD")) {
                usd = currency;
            }
        }

        // Loaded afresh, Home is on screen after at most three API calls (who is signed in, and its summary).
        browser.blank();
        browser.go("/#/dashboard");
        browser.find("home-page [data-currency=USD] [data-figure=revenue]");
        assertThat(((Number) browser.script("return performance.getEntriesByType('resource')"
                + ".filter(e => new URL(e.name).pathname.startsWith('/api/')).length")).intValue())
                .as("API calls to show Home").isLessThanOrEqualTo(3);
        assertThat(browser.text("[data-currency=USD] [data-figure=revenue]"))
                .isEqualTo(usd.path("revenue").asString() + " USD");
        assertThat(browser.text("[data-currency=USD] [data-figure=cost]"))
                .isEqualTo(usd.path("cost").asString() + " USD");
        // No EUR rate yet: the EUR cost is shown in USD, and the warning says where to set the rate.
        assertThat(browser.text("[data-currency=EUR] [data-figure=cost]")).endsWith(" USD");
        var rate = browser.findWithText("li[data-warning=rate]", "EUR");
        assertThat(rate.findElement(By.cssSelector("a")).getDomAttribute("href")).isEqualTo("#/settings");
        var unpriced = browser.findWithText("li[data-warning=unpriced]", "mistral-large");
        assertThat(unpriced.getText()).contains("4,000 tokens");
        assertThat(unpriced.findElement(By.cssSelector("a")).getDomAttribute("href")).isEqualTo("#/settings");
        // The operator's own organization is not counted as a client.
        assertThat(browser.text("[data-currency=USD] h2")).contains("1 client");
        browser.findWithText(".top-cost tbody", "Acme <b>Bold</b> & Co");
        // The chart is drawn, with month names on its axis and labels a person can read.
        browser.waitUntil("the USD chart is drawn",
                () -> !browser.all("[data-currency=USD] money-chart canvas").isEmpty());
        String thisMonth = YearMonth.now(ZoneOffset.UTC).format(java.time.format.DateTimeFormatter
                .ofPattern("MMM yyyy", java.util.Locale.US));
        assertThat(String.valueOf(browser.script("return document.querySelector('[data-currency=USD] money-chart')"
                + ".chart.getOption().xAxis[0].data.join(',')"))).contains(thisMonth);
        assertThat(chartLabelSizes(browser)).isNotEmpty().allSatisfy(size -> assertThat(size).isGreaterThanOrEqualTo(11));
        // A cost of a few hundredths of the revenue on the same axis is still drawn, a few pixels high.
        assertThat(String.valueOf(browser.script("return document.querySelector('[data-currency=USD] money-chart')"
                + ".chart.getOption().series.map(s => s.barMinHeight).join(',')"))).isEqualTo("3,3");
        assertThat(browser.find("[data-currency=USD] .plot").getDomAttribute("aria-label")).contains(thisMonth)
                .contains("revenue");
        browser.screenshot("09-home");

        // Unpriced usage is fixed from the warning: the name is mapped to a priced model and rerated.
        unpriced.findElement(By.xpath(".//button[starts-with(normalize-space(.), 'Map it to a priced model')]"))
                .click();
        var target = new Select(browser.find("form.map-model select[name=target]"));
        browser.waitUntil("the priced models are offered", () -> target.getOptions().size() > 1);
        assertThat(target.getFirstSelectedOption().getText()).as("the likely model is suggested")
                .isEqualTo("mistral-large-latest");
        browser.screenshot("09-home-map-model");
        browser.clickButton("Map and rerate");
        browser.findWithText("home-page .notice", "mistral-large is now priced as mistral-large-latest: 1 stored"
                + " event was priced.");
        browser.waitUntilGone("home-page .attention", "mistral-large");
        JsonNode aliases = api.get("/api/settings/model-aliases").as(owner).send().expect(200).json();
        assertThat(aliases.path("items").toString()).contains("\"alias\":\"mistral-large\"")
                .contains("\"model\":\"mistral-large-latest\"");
        assertThat(api.get("/api/dashboard").as(owner).send().json().path("unpriced")).isEmpty();

        // A model priced in Settings after its usage came in: the warning offers the rerate alone,
        // never the model as an alias of itself.
        api.post("/api/usage").as(owner).json(Map.of("agentId", agentB, "eventId", "browser-priced-later", "model",
                "priced-later", "inputTokens", 2_000, "outputTokens", 0, "occurredAt", Instant.now().toString()))
                .send().expect(201);
        api.post("/api/settings/models").as(owner).json(Map.of("model", "priced-later", "provider", "Test",
                "inputPricePerMillion", "1.00", "outputPricePerMillion", "2.00")).send().expect(201);
        browser.blank();
        browser.go("/#/dashboard");
        var pricedLater = browser.findWithText("li[data-warning=unpriced]", "priced-later");
        browser.waitUntil("the rerate is offered", () -> !pricedLater.findElements(By.xpath(
                ".//button[starts-with(normalize-space(.), 'It has a price now')]")).isEmpty());
        assertThat(pricedLater.getText()).doesNotContain("Map it to a priced model");
        browser.clickButton("It has a price now: rerate its stored usage");
        browser.findWithText("home-page .notice", "priced-later has a price now: 1 stored event was priced.");
        browser.waitUntilGone("home-page .attention", "priced-later");

        // A client in the list opens its billing.
        browser.findWithText(".top-cost tbody a", "Acme").click();
        browser.findWithText("h1", "Acme <b>Bold</b> & Co");
        assertThat(browser.url()).endsWith("#/organizations/" + orgA + "/billing");
    }

    /** The font size of every axis's labels and name, in every chart on the page. */
    @SuppressWarnings("unchecked")
    static List<Long> chartLabelSizes(Browser browser) {
        return (List<Long>) browser.script("return [...document.querySelectorAll('money-chart')].flatMap(c => {"
                + " const o = c.chart.getOption(); return [...o.xAxis, ...o.yAxis].flatMap(a =>"
                + " [a.axisLabel.fontSize, a.nameTextStyle?.fontSize ?? a.axisLabel.fontSize]); })");
    }

    @Test
    @Order(11)
    void theAuditLogFollowsTheContextAndItsFilters() throws Exception {
        browser.go("/#/audit");
        pick(orgB);
        browser.findWithText("table.list tbody", "organization.created");
        browser.type("input[name=action]", "agent.created");
        browser.clickButton("Filter");
        browser.waitUntilGone("table.list tbody", "organization.created");
        browser.findWithText("table.list tbody", "agent.created");
        // The action in words, its code beside it for the filter.
        assertThat(browser.text("table.list tbody tr")).contains("Agent created agent.created");
        // Names, not ids: the agent and the organization are named, with the id on hover.
        var target = browser.findWithText("table.list tbody span.target", "Bea Bot");
        assertThat(target.getDomAttribute("title")).isEqualTo(agentB);
        assertThat(browser.text("table.list tbody")).contains("Beta Corp");
        browser.script("arguments[0].value = arguments[1]", browser.find("input[name=to]"),
                java.time.LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        browser.clickButton("Filter");
        browser.findWithText(".empty", "No events match");
        browser.script("arguments[0].value = ''", browser.find("input[name=to]"));
        browser.clickButton("Filter");
        browser.findWithText("table.list tbody", "agent.created");
        browser.screenshot("11-audit");
        pick("");
    }

    @Test
    @Order(12)
    void anAgentKeyIsShownOnceAndWorksUntilRevoked() throws Exception {
        browser.go("/#/agents");
        var row = browser.findWithText("table.list tbody tr", "Bea Bot");
        row.findElement(By.xpath(".//button[normalize-space(.)='Details & keys']")).click();
        browser.type("form.agent-details input[name=model]", "claude-sonnet-4");
        browser.clickButton("Save details");
        browser.findWithText("table.list tbody tr", "Bea Bot");
        assertThat(eventually(() -> api.get("/api/agents/" + agentB).as(owner).send().text("model")))
                .isEqualTo("claude-sonnet-4");
        browser.clickButton("Issue a key");
        String key = browser.find("input.new-key").getDomProperty("value");
        assertThat(key).startsWith("tnt_ak_");
        browser.find(".issued button");
        browser.screenshot("15-agent-key");
        api.get("/agent/v1/me").as(key).send().expect(200);

        browser.find("ul.keys button.danger").click();
        browser.acceptConfirmation();
        browser.findWithText("ul.keys", "revoked");
        api.get("/agent/v1/me").as(key).send().expect(401);
    }

    @Test
    @Order(13)
    void settingsShowPriceHistoryAndTakeANewVersionAndARate() throws Exception {
        browser.go("/#/settings");
        var row = browser.findWithText("table.models tbody tr", "gpt-4o-mini");
        row.findElement(By.xpath(".//button[starts-with(normalize-space(.), 'History')]")).click();
        browser.findWithText("table.models tr.editor", "list price");
        browser.type("input[name=model]", "browser-model");
        browser.type("input[name=provider]", "Lab");
        browser.type("input[name=input]", "-1");
        browser.type("input[name=output]", "2");
        browser.clickButton("Add price");
        // The error uses the form's label, not the API's field name.
        assertThat(browser.findWithText("section .error", "Input price").getText())
                .doesNotContain("inputPricePerMillion");
        // A decimal comma is understood, and said back before the price is added.
        browser.type("input[name=input]", "1,5");
        assertThat(browser.find("input[name=input] + decimal-echo .read-as").getText()).isEqualTo("Read as 1.50 USD");
        browser.clickButton("Add price");
        var added = browser.findWithText("table.models tbody tr", "browser-model");
        assertThat(added.getText()).contains("$1.50 / 1M tokens").contains("$2.00 / 1M tokens");

        new Select(browser.find("form.inline select[name=currency]"))
                .selectByVisibleText("EUR");
        // The month a rate is most often set for is offered: this one.
        assertThat(browser.find("input[name=month]").getDomProperty("value"))
                .isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
        browser.type("input[name=rate]", "0,92");
        browser.clickButton("Set rate");
        browser.findWithText("table.rates tbody", "0.92");
        browser.findWithText("table.aliases tbody", "mistral-large-latest");
        browser.screenshot("16-settings");
        assertThat(api.get("/api/settings/fx-rates").as(owner).send().body()).contains("0.92");
    }

    @Test
    @Order(14)
    void budgetThresholdsAndProrationAreEditedInTheOrganizationForm() throws Exception {
        browser.go("/#/organizations");
        browser.findWithText("li.org", "beta-corp").findElement(By.xpath(".//button[normalize-space(.)='Edit']"))
                .click();
        assertThat(browser.script("return document.querySelector('organization-form input[name=monthlyBudget]"
                + " + decimal-echo').textContent.trim()")).as("nothing to say before anything is typed").isEqualTo("");
        browser.type("organization-form input[name=monthlyBudget]", "1.234,50");
        assertThat(browser.find("organization-form input[name=monthlyBudget] + decimal-echo .read-as").getText())
                .as("how the amount typed is read, in the browser's way").isEqualTo("Read as 1,234.50");
        browser.type("organization-form input[name=budgetAlertThresholds]", "50, lots");
        browser.clickButton("Save");
        // Refused in words, on the field at fault, and nothing is saved.
        var error = browser.findWithText("organization-form .error", "budget alert threshold");
        assertThat(error.getText()).doesNotContain("budgetAlertThresholds");
        assertThat(browser.find("organization-form input[name=budgetAlertThresholds]").getDomAttribute("aria-invalid"))
                .isEqualTo("true");
        assertThat(api.get("/api/organizations/" + orgB).as(owner).send().json().path("monthlyBudget").isNull())
                .isTrue();
        browser.type("organization-form input[name=budgetAlertThresholds]", "50, 90");
        new Select(browser.find("organization-form select[name=proration]")).selectByValue("daily");
        assertThat(browser.find("organization-form input[name=timeZone]").getDomProperty("value")).isEqualTo("UTC");
        browser.type("organization-form input[name=timeZone]", "Europe/Paris");
        browser.screenshot("16-organization-terms");
        browser.clickButton("Save");
        browser.waitUntilGone("organizations-page", "Budget and proration");
        JsonNode beta = api.get("/api/organizations/" + orgB).as(owner).send().expect(200).json();
        assertThat(beta.path("monthlyBudget").decimalValue()).isEqualByComparingTo("1234.50");
        assertThat(beta.path("budgetAlertThresholds").toString()).isEqualTo("[50,90]");
        assertThat(beta.path("proration").asString()).isEqualTo("daily");
        assertThat(beta.path("timeZone").asString()).isEqualTo("Europe/Paris");
        // The browser's language decides only where the form cannot: one separator, three digits after it.
        assertThat(decimalInputs("'1.234,50', 'de-DE'", "'1,234.50', 'en-US'", "'1.234', 'de-DE'", "'1.234', 'en-US'",
                "'1,500', 'en-US'", "'1,500', 'de-DE'", "'12,5', 'en-US'", "'0,150', 'en-US'", "'1e400', 'en-US'",
                "'1,2,3', 'en-US'", "'12,34,567.5', 'en-IN'"))
                .isEqualTo("1234.50 1234.50 1234 1.234 1500 1.500 12.5 0.150 1e400 1,2,3 1234567.5");
        // What the dashboard writes into its fields reads back as itself in every language: a German
        // browser read the rate 99.00 as 9900 when an organization was saved unchanged.
        assertThat(decimalInputs("'99.00', 'de-DE'", "'1500.00', 'fr-FR'", "'0.15', 'de-DE'", "'1.5', 'fr-FR'",
                "'120.00', 'en-US'")).isEqualTo("99.00 1500.00 0.15 1.5 120.00");
        // Said back as the dashboard writes amounts, one way only: never as typed when typed ambiguously.
        assertThat(browser.script("return import('/app/format.js').then(f => [f.readAs('1.500', 'de-DE'),"
                + " f.readAs('1.500', 'en-US'), f.readAs('1,500', 'de-DE'), f.readAs('0,150', 'en-US'),"
                + " f.readAs('1.234', 'en-US'), f.readAs('lots', 'en-US'), f.plainDecimal(0.0000001)].join(' | '))"))
                .isEqualTo("1,500.00 | 1.50 | 1.50 | 0.15 | 1.2340 |  | 0.0000001");
        // Alert thresholds: where decimals take a comma, "87,5" is a decimal (refused), not 87 and 5.
        assertThat(browser.script("return import('/app/pages/organization-form.js').then(f => JSON.stringify(["
                + "f.thresholds('50; 87,5; 100', 'de-DE'), f.thresholds('50, 80, 100', 'de-DE'),"
                + " f.thresholds('50,80;100', 'en-US')]))"))
                .isEqualTo("[[50,\"87,5\",100],[50,80,100],[50,80,100]]");

        // An edit sends what was changed in the form, and leaves alone what another operator saved since.
        browser.findWithText("li.org", "beta-corp").findElement(By.xpath(".//button[normalize-space(.)='Edit']"))
                .click();
        api.patch("/api/organizations/" + orgB).as(owner).json(Map.of("billingRatePerAgent", "77.00",
                "monthlyBudget", "999.00")).send().expect(200);
        browser.type("organization-form input[name=contactName]", "Bea Contact");
        browser.clickButton("Save");
        browser.waitUntilGone("organizations-page", "Budget and proration");
        JsonNode edited = api.get("/api/organizations/" + orgB).as(owner).send().expect(200).json();
        assertThat(edited.path("contactName").asString()).isEqualTo("Bea Contact");
        assertThat(edited.path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("77.00");
        assertThat(edited.path("monthlyBudget").decimalValue()).isEqualByComparingTo("999.00");

        // A new currency is saved with the rate and the budget as the form shows them, which the
        // server requires in the new currency's terms: changing the currency alone was refused.
        String gamma = api.post("/api/organizations").as(owner).json(Map.of("name", "Gamma Ltd", "currency", "GBP",
                "billingRatePerAgent", "10.00", "monthlyBudget", "50.00")).send().expect(201).id();
        browser.go("/#/");
        browser.go("/#/organizations");
        browser.findWithText("li.org", "gamma-ltd").findElement(By.xpath(".//button[normalize-space(.)='Edit']"))
                .click();
        new Select(browser.find("organization-form select[name=currency]")).selectByVisibleText("CAD");
        assertThat(browser.find("organization-form #currency-note").getText()).contains("From GBP to CAD");
        browser.screenshot("16b-organization-currency");
        browser.clickButton("Save");
        browser.waitUntilGone("organizations-page", "Budget and proration");
        JsonNode moved = api.get("/api/organizations/" + gamma).as(owner).send().expect(200).json();
        assertThat(moved.path("currency").asString()).isEqualTo("CAD");
        assertThat(moved.path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("10.00");
        assertThat(moved.path("monthlyBudget").decimalValue()).isEqualByComparingTo("50.00");
        api.delete("/api/organizations/" + gamma).as(owner).send().expect(204);
    }

    /** format.js's decimalInput of each of {@code calls} (its arguments), separated by spaces. */
    String decimalInputs(String... calls) {
        return String.valueOf(browser.script("return import('/app/format.js').then(f => ["
                + java.util.Arrays.stream(calls).map(c -> "f.decimalInput(" + c + ")")
                        .collect(java.util.stream.Collectors.joining(", ")) + "].join(' '))"));
    }

    @Test
    @Order(15)
    void aUserIsBoundToAnOrganizationInThePermissionEditor() throws Exception {
        browser.go("/#/users");
        // Created while a client is picked, a user is that client's: left unbound, it would see
        // every organization once given pages; bound to another (outside tester), it showed in
        // this client's list. The form offers no other organization and no other role.
        pick(orgA);
        browser.clickButton("New User");
        browser.findWithText("form.card p.new-user-binding", "Acme <b>Bold</b> & Co");
        assertThat(browser.all("form.card select[name=clientOrgId]")).isEmpty();
        assertThat(browser.all("form.card select[name=role]")).isEmpty();
        browser.type("input[name=name]", "Bound User");
        browser.type("input[name=email]", BOUND_EMAIL);
        browser.type("input[name=password]", Platform.PASSWORD);
        browser.clickButton("Create");
        browser.find("form.permissions");
        assertThat(browser.find("form.permissions select[name=clientOrgId]").getDomProperty("value")).isEqualTo(orgA);
        assertThat(api.get("/api/users?limit=500").as(owner).send().expect(200).items().stream()
                .filter(u -> u.path("email").asString().equals(BOUND_EMAIL)).findFirst().orElseThrow()
                .path("clientOrgId").asString()).isEqualTo(orgA);
        new Select(browser.find("form.permissions select[name=role]"))
                .selectByVisibleText("admin");
        assertThat(browser.find("form.permissions select[name=clientOrgId]").isEnabled()).isFalse();
        new Select(browser.find("form.permissions select[name=role]"))
                .selectByVisibleText("user");
        new Select(browser.find("form.permissions select[name=clientOrgId]"))
                .selectByValue(orgA);
        // Every page the server knows is offered now: none is left "coming".
        assertThat(browser.all("form.permissions input[value=vault]")).hasSize(1);
        assertThat(browser.all("form.permissions p.coming")).isEmpty();
        browser.clickButton("Select all");
        assertThat(browser.find("form.permissions input[value=audit]").isSelected()).isTrue();
        browser.clickButton("Select none");
        for (String page : List.of("dashboard", "agents", "organizations", "knowledge", "guardrails", "interventions",
                "memory", "vault", "billing")) {
            browser.click("form.permissions input[value=" + page + "]");
        }
        // Costs add to Billing: taking Billing takes them, giving them gives Billing. The bound user ends
        // with Billing and without costs, a client reading their bill.
        browser.click("form.permissions input[value=costs]");
        assertThat(browser.find("form.permissions input[value=costs]").isSelected()).isTrue();
        browser.click("form.permissions input[value=billing]");
        assertThat(browser.find("form.permissions input[value=costs]").isSelected()).isFalse();
        browser.click("form.permissions input[value=costs]");
        assertThat(browser.find("form.permissions input[value=billing]").isSelected()).isTrue();
        browser.click("form.permissions input[value=costs]");
        assertThat(browser.find("form.permissions input[value=billing]").isSelected()).isTrue();
        browser.screenshot("12-permission-editor");
        browser.clickButton("Save");
        browser.waitUntilGone("table.users", "Select all");
        JsonNode user = null;
        for (JsonNode candidate : api.get("/api/users?limit=500").as(owner).send().expect(200).items()) {
            if (candidate.path("email").asString().equals(BOUND_EMAIL)) {
                user = candidate;
            }
        }
        assertThat(user.path("clientOrgId").asString()).isEqualTo(orgA);
        assertThat(user.path("pages").toString()).contains("dashboard", "agents", "organizations", "memory", "billing")
                .doesNotContain("audit").doesNotContain("costs");
        browser.findWithText("table.users tbody", "Acme <b>Bold</b> & Co");
        // The pages as the menu names them, not as the API does.
        assertThat(browser.findWithText("table.users tbody tr", "Bound User").getText())
                .contains("Home, Agents, Organizations, Knowledge").contains("Memory").doesNotContain("dashboard");
        pick("");

        // A user bound to the operator's own organization is shown bound to it, and the editor says so.
        String staff = api.post("/api/users").as(owner).json(Map.of("email", "staff-" + UUID.randomUUID() + "@t.test",
                "name", "Staff Sam", "password", Platform.PASSWORD, "role", "user", "clientOrgId", DEFAULT_ORG))
                .send().expect(201).id();
        browser.blank();
        browser.go("/#/users");
        WebElement row = browser.findWithText("table.users tbody tr", "Staff Sam");
        assertThat(row.getText()).contains("Default organization (your own)").doesNotContain(DEFAULT_ORG);
        row.findElement(By.xpath(".//button[normalize-space(.)='Edit']")).click();
        assertThat(new Select(browser.find("form.permissions select[name=clientOrgId]")).getFirstSelectedOption()
                .getText()).isEqualTo("Default organization (your own)");
        api.delete("/api/users/" + staff).as(owner).send().expect(204);
    }

    @Test
    @Order(16)
    void aUserBoundToAnOrganizationIsLockedToIt() throws Exception {
        // By keyboard alone: the e-mail field, Tab to the password, Enter to sign in.
        switchTo(BOUND_EMAIL, "Bound User");

        browser.go("/#/agents");
        browser.findWithText("org-switcher .badge", "Locked");
        assertThat(browser.text("org-switcher")).contains("Acme <b>Bold</b> & Co").doesNotContain("Beta Corp");
        browser.findWithText("table.list tbody", "Ada Assistant");
        assertThat(browser.text("table.list tbody")).doesNotContain("Bea Bot");
        browser.screenshot("13-bound-user-agents");

        browser.go("/#/organizations");
        browser.findWithText("li.org", "acme-b-bold-b-co");
        assertThat(browser.all("li.org")).hasSize(1);

        browser.go("/#/organizations/" + orgB + "/agents");
        browser.findWithText(".error", "not found");
        assertThat(browser.text("main")).doesNotContain("Beta Corp").doesNotContain("Bea Bot");
        browser.screenshot("14-bound-user-forged-org");
    }

    /** The bound user was given Billing without costs: their bill, and nothing of what it costs the agency. */
    @Test
    @Order(17)
    void aBoundUserWithTheBillingPageSeesTheirOrganizationsBill() throws Exception {
        String bound = Platform.login(api, BOUND_EMAIL, Platform.PASSWORD);
        JsonNode statement = api.get("/api/organizations/" + orgA + "/billing?month="
                + YearMonth.now(ZoneOffset.UTC)).as(bound).send().expect(200).json();
        browser.go("/#/billing");
        browser.find("[data-figure=revenue]");
        assertThat(browser.text("billing-overview h1")).isEqualTo("Billing");
        assertThat(browser.text("billing-overview .page-head")).contains("Acme <b>Bold</b> & Co");
        assertThat(browser.text("[data-figure=revenue]")).isEqualTo(statement.path("revenue").asString() + " USD");
        browser.find("table.statement tbody tr");
        assertThat(browser.all("[data-figure=cost], [data-figure=margin], [data-figure=total-cost]")).isEmpty();
        assertThat(browser.text("table.statement thead")).contains("Revenue").doesNotContain("Cost")
                .doesNotContain("Unpriced");
        assertThat(browser.text("billing-overview figcaption")).contains("Revenue").doesNotContain("cost");
        assertThat(browser.find("a[download]").getDomAttribute("href"))
                .isEqualTo("/api/organizations/" + orgA + "/billing/" + YearMonth.now(ZoneOffset.UTC) + ".csv");
        browser.find(".chart");
        // Read only: the per-agent rates are the operator's to set.
        assertThat(browser.all("input.rate")).isEmpty();
        assertThat(browser.text("main")).doesNotContain("Beta Corp").doesNotContain("owners and admins");
        browser.screenshot("14-bound-user-billing");

        // Home, for their organization only, and its revenue alone.
        browser.go("/#/dashboard");
        browser.find("home-page [data-currency=USD] [data-figure=revenue]");
        assertThat(browser.all("home-page section.currency")).hasSize(1);
        assertThat(browser.all("home-page [data-figure=cost], home-page [data-figure=margin]")).isEmpty();
        assertThat(browser.text("home-page")).doesNotContain("Token cost").doesNotContain("Margin")
                .doesNotContain("budget").contains("1 organization");
        assertThat(browser.text("home-page")).doesNotContain("Beta Corp").doesNotContain("EUR")
                .doesNotContain("mistral-large").doesNotContain("Your own organization");
        browser.screenshot("14-bound-user-home");
    }

    @Test
    @Order(23)
    void pagesFitAPhoneWidthWithoutSidewaysScrolling() throws Exception {
        try (Browser phone = Browser.phone(port)) {
            phone.go("/");
            signInByKeyboard(phone, Platform.OWNER_EMAIL);
            for (String page : List.of("dashboard", "organizations", "organizations/" + orgA + "/agents",
                    "organizations/" + orgA + "/billing", "agents", "guardrails", "interventions", "billing", "users",
                    "settings", "audit")) {
                phone.go("/#/" + page);
                phone.find("main h1");
                Thread.sleep(300);
                Object overflow = phone.script("return document.documentElement.scrollWidth - window.innerWidth");
                if (page.equals("dashboard") || page.endsWith("/billing")) {
                    phone.waitUntil("the chart on " + page + " is drawn", () -> !phone.all("money-chart canvas")
                            .isEmpty());
                    assertThat(chartLabelSizes(phone)).as("chart labels on a phone, px").isNotEmpty()
                            .allSatisfy(size -> assertThat(size).isGreaterThanOrEqualTo(11));
                }
                phone.screenshot("phone-" + page.replace('/', '-').replace(orgA, "org"));
                assertThat(((Number) overflow).intValue()).as("sideways overflow of %s", page).isLessThanOrEqualTo(0);
            }
        }
    }

    @Test
    @Order(24)
    void beyondFiveHundredOrganizationsTheSwitcherFindsThemByName() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Api.Response>> created = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String name = "Filler " + String.format("%03d", i);
            created.add(pool.submit(() -> api.post("/api/organizations").as(owner).json(Map.of("name", name)).send()));
        }
        for (var response : created) {
            response.get().expect(201);
        }
        pool.shutdown();
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");

        browser.go("/#/agents");
        browser.type("org-switcher input[type=search]", "Beta");
        new Select(browser.find("org-switcher select[aria-label='Matching organizations']"))
                .selectByVisibleText("Beta Corp");
        browser.waitUntilGone("table.list tbody", "Ada Assistant");
        browser.findWithText("table.list tbody", "Bea Bot");
        assertThat(browser.find("org-switcher select").getDomProperty("value")).isEqualTo(orgB);
        browser.screenshot("17-switcher-search");
    }

    /** The id of the first agent of {@code org}, as the owner lists them. */
    String firstAgentOf(String org) {
        return api.get("/api/agents?limit=500").org(org).as(owner).send().expect(200).items().get(0).path("id")
                .asString();
    }

    @Test
    @Order(18)
    void anOwnerWritesRulesAndPoliciesAndTriesATextOnThem() throws Exception {
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
        browser.go("/#/guardrails");
        pick(orgA);
        browser.findWithText("guardrails-page h1", "Guardrails");
        browser.clickButton("New rule");
        new Select(browser.find("rule-form select[name=type]")).selectByValue("regex");
        browser.type("rule-form input[name=name]", "Order numbers");
        browser.type("rule-form input[name=pattern]", "order-(\\d{4}");
        new Select(browser.find("rule-form select[name=action]")).selectByValue("redact");
        browser.clickButton("Add rule");
        // The pattern's error in words, and a caret under where it goes wrong.
        browser.findWithText("rule-form .error", "Pattern is not a valid regular expression at position");
        assertThat(browser.text("rule-form pre.pattern-error")).contains("order-(\\d{4}").contains("^");
        browser.screenshot("18-guardrails-pattern-error");
        browser.type("rule-form input[name=pattern]", "order-\\d{4}");
        browser.clickButton("Add rule");
        browser.findWithText("table.rules tbody", "Order numbers");

        browser.clickButton("New rule");
        browser.type("rule-form input[name=name]", "Competitors");
        browser.type("rule-form textarea[name=keywords]", "acme rival\nglobex");
        new Select(browser.find("rule-form select[name=action]")).selectByValue("block");
        new Select(browser.find("rule-form select[name=mode]")).selectByValue("shadow");
        browser.clickButton("Add rule");
        assertThat(browser.findWithText("table.rules tbody tr", "Competitors").getText()).contains("Shadow");
        // An edit sends what was changed in the form: a mode another operator set since stays.
        String competitors = api.get("/api/guardrails/rules?limit=500").org(orgA).as(owner).send().expect(200)
                .items().stream().filter(r -> r.path("name").asString().equals("Competitors")).findFirst()
                .orElseThrow().path("id").asString();
        browser.findWithText("table.rules tbody tr", "Competitors")
                .findElement(By.xpath(".//button[normalize-space(.)='Edit']")).click();
        api.patch("/api/guardrails/rules/" + competitors).org(orgA).as(owner).json(Map.of("mode", "enforce")).send()
                .expect(200);
        browser.type("rule-form input[name=name]", "Competitors named");
        browser.clickButton("Save rule");
        browser.findWithText("table.rules tbody tr", "Competitors named");
        JsonNode competitorsRule = api.get("/api/guardrails/rules/" + competitors).org(orgA).as(owner).send()
                .expect(200).json();
        assertThat(competitorsRule.path("name").asString()).isEqualTo("Competitors named");
        assertThat(competitorsRule.path("mode").asString()).isEqualTo("enforce");
        api.patch("/api/guardrails/rules/" + competitors).org(orgA).as(owner).json(Map.of("mode", "shadow", "name",
                "Competitors")).send().expect(200);
        browser.reload();
        browser.findWithText("table.rules tbody tr", "Shadow");

        // A baseline rule is the owner's, in the default organization, and every client sees it read-only.
        pick(DEFAULT_ORG);
        browser.clickButton("New rule");
        browser.type("rule-form input[name=name]", "No private keys");
        new Select(browser.find("rule-form select[name=type]")).selectByValue("pii");
        browser.click("rule-form input[value=secret]");
        browser.click("rule-form input[name=baseline]");
        browser.clickButton("Add rule");
        assertThat(browser.findWithText("table.rules tbody tr", "No private keys").getText()).contains("Baseline");
        pick(orgA);
        browser.findWithText("section.baseline", "No private keys");
        assertThat(browser.text("table.rules tbody")).doesNotContain("No private keys");

        browser.type("guardrails-page textarea[name=content]", "Ship order-1234 to the acme rival");
        browser.clickButton("Test");
        browser.findWithText(".verdict", "Decision");
        assertThat(browser.find(".verdict [data-decision]").getDomAttribute("data-decision")).isEqualTo("redact");
        assertThat(browser.text(".verdict table.matches")).contains("Order numbers").contains("Competitors")
                .contains("shadow");
        assertThat(browser.find(".verdict textarea.redacted").getDomProperty("value"))
                .isEqualTo("Ship [REDACTED:regex] to the acme rival");
        browser.script("document.querySelector('.test-box').scrollIntoView()");
        browser.screenshot("18-guardrails");

        browser.clickButton("New policy");
        browser.type("policy-form input[name=name]", "Tone of voice");
        browser.type("policy-form textarea[name=content]", "# Be kind\nNever promise refunds.");
        browser.clickButton("Add policy");
        browser.findWithText("table.policies tbody", "Tone of voice");
        List<String> rules = api.get("/api/guardrails/rules?limit=500").org(orgA).as(owner).send().expect(200)
                .items().stream().map(r -> r.path("name").asString()).toList();
        assertThat(rules).containsExactlyInAnyOrder("Order numbers", "Competitors");
        assertThat(api.get("/api/policies?limit=500").org(orgA).as(owner).send().expect(200).items())
                .singleElement().satisfies(p -> assertThat(p.path("content").asString()).contains("Never promise"));
    }

    @Test
    @Order(19)
    void theInterventionsPageChartsEachRuleAndPausesAnAgentFromItsRow() throws Exception {
        String agent = firstAgentOf(orgA);
        String key = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
        for (String text : List.of("order-1111", "order-2222 and order-3333", "about the acme rival",
                "acme rival again")) {
            api.post("/agent/v1/guardrails/check").as(key).json(Map.of("direction", "input", "content", text)).send()
                    .expect(200);
        }
        browser.go("/#/interventions");
        browser.findWithText("interventions-page h1", "Interventions");
        browser.find("table.hits hit-sparkline svg");
        assertThat(browser.all("table.hits tbody tr")).hasSize(2);
        assertThat(browser.findWithText("table.hits tbody tr", "Order numbers").findElement(By.cssSelector("svg"))
                .getDomAttribute("aria-label")).contains(": 2 enforced, 0 shadow");
        assertThat(browser.findWithText("table.hits tbody tr", "Competitors").getText()).contains("Shadow");
        String competitors = browser.findWithText("table.hits tbody tr", "Competitors").findElement(
                By.cssSelector("svg")).getDomAttribute("aria-label");
        assertThat(competitors).contains(": 0 enforced, 2 shadow");
        browser.findWithText("table.interventions tbody", "Order numbers");
        assertThat(browser.text("table.interventions tbody")).as("evidence is redacted").doesNotContain("order-1111");
        browser.screenshot("19-interventions");

        browser.findWithText("table.hits tbody tr", "Order numbers").findElement(
                By.xpath(".//button[normalize-space(.)='Show entries']")).click();
        browser.waitUntilGone("table.interventions tbody", "Competitors");
        assertThat(browser.all("table.interventions tbody tr")).hasSize(2);

        browser.findWithText("table.interventions tbody tr", "Order numbers").findElement(
                By.xpath(".//button[normalize-space(.)='Pause']")).click();
        browser.type("dialog.confirm textarea.reason", "Too many order numbers");
        browser.click("dialog.confirm button.confirm");
        browser.findWithText("table.interventions tbody tr", "Resume");
        assertThat(api.get("/api/agents/" + agent).as(owner).send().text("status")).isEqualTo("paused");
        new Select(browser.find("interventions-page select[name=ruleId]")).selectByValue("");
        new Select(browser.find("interventions-page select[name=action]")).selectByValue("pause");
        browser.clickButton("Filter");
        browser.findWithText("table.interventions tbody", "Too many order numbers");
        browser.findWithText("table.interventions tbody tr", "Resume").findElement(
                By.xpath(".//button[normalize-space(.)='Resume']")).click();
        browser.type("dialog.confirm textarea.reason", "Checked");
        browser.click("dialog.confirm button.confirm");
        browser.waitUntil("the agent is active again",
                () -> "active".equals(api.get("/api/agents/" + agent).as(owner).send().text("status")));
        pick("");
        // In the all-organizations view, whose hits and entries these are is shown (browser
        // tester: one rule name in three orgs read as three identical rows), and the button
        // that filters by a rule is drawn in the link colour, not white on white.
        browser.waitUntil("the rule's hits name their organization", () -> browser.findWithText(
                "table.hits tbody tr", "Order numbers").getText().contains("Acme <b>Bold</b> & Co"));
        browser.waitUntil("the log's entries name their organization", () -> browser.findWithText(
                "table.interventions tbody tr", "Order numbers").getText().contains("Acme <b>Bold</b> & Co"));
        WebElement showEntries = browser.findWithText("table.hits tbody tr", "Order numbers").findElement(
                By.xpath(".//button[normalize-space(.)='Show entries']"));
        assertThat(showEntries.getCssValue("color")).isNotIn("rgba(255, 255, 255, 1)", "rgb(255, 255, 255)");
        assertThat(showEntries.getDomAttribute("aria-label")).isEqualTo("Show entries of Order numbers");
        assertThat(new Select(browser.find("interventions-page select[name=action]")).getFirstSelectedOption()
                .getText()).as("the filter reset with the view shows as reset").isEqualTo("Any action");
        browser.screenshot("19-interventions-all-orgs");
    }

    @Test
    @Order(20)
    void aBoundUserKeepsTheirOrganizationsRulesAndSeesTheBaselineReadOnly() throws Exception {
        switchTo(BOUND_EMAIL, "Bound User");
        browser.go("/#/guardrails");
        browser.findWithText("table.rules tbody", "Order numbers");
        browser.findWithText("section.baseline", "No private keys");
        assertThat(browser.all("section.baseline button")).as("the baseline offers no edit").isEmpty();
        assertThat(browser.text("main")).doesNotContain("Beta Corp");
        browser.clickButton("New rule");
        browser.type("rule-form input[name=name]", "Refund talk");
        browser.type("rule-form textarea[name=keywords]", "refund");
        new Select(browser.find("rule-form select[name=action]")).selectByValue("flag");
        browser.clickButton("Add rule");
        browser.findWithText("table.rules tbody", "Refund talk");
        browser.screenshot("20-bound-user-guardrails");
        assertThat(api.get("/api/guardrails/rules?limit=500").org(orgA).as(owner).send().expect(200).items())
                .anySatisfy(r -> assertThat(r.path("name").asString()).isEqualTo("Refund talk"));
        // A rule whose only agent left is switched off by the server: the row says why, rather than "0 agents".
        String departing = api.post("/api/agents").as(owner).org(orgA).json(Map.of("name", "Departing Dan")).send()
                .expect(201).id();
        String orphan = api.post("/api/guardrails/rules").org(orgA).as(owner).json(Map.of("name", "Dan's words",
                "type", "keyword", "keywords", List.of("secret plan"), "action", "flag", "appliesTo",
                List.of(departing))).send().expect(201).id();
        api.delete("/api/agents/" + departing).as(owner).send().expect(204);
        browser.reload();
        WebElement switchedOff = browser.find("table.rules tbody tr[data-rule-id='" + orphan + "']");
        assertThat(switchedOff.getText()).contains("Off").contains("the agents it named left the organization");
        browser.screenshot("20-rule-whose-agents-left");

        browser.go("/#/interventions");
        browser.findWithText("table.interventions tbody", "Too many order numbers");
        browser.find("table.hits hit-sparkline svg");
        assertThat(browser.text("main")).doesNotContain("Beta Corp").doesNotContain("Bea Bot");
        browser.screenshot("20-bound-user-interventions");
        // A pause the operator holds is not the client's to lift: the row says so instead of offering Resume.
        String agent = firstAgentOf(orgA);
        api.post("/api/agents/" + agent + "/pause").as(owner).json(Map.of("reason", "Held by the agency")).send()
                .expect(200);
        browser.reload();
        WebElement held = browser.findWithText("table.interventions tbody tr", "Held by the agency");
        assertThat(held.getText()).contains("Paused by the operator");
        assertThat(held.findElements(By.xpath(".//button[normalize-space(.)='Resume']"))).isEmpty();
        browser.screenshot("20-bound-user-operator-pause");
        // The Agents page offers what the Interventions page does (browser tester: the user could
        // pause from one and not the other).
        browser.go("/#/agents");
        browser.waitUntil("the agent's row says who holds its pause", () -> browser.find("tr[data-agent-id='"
                + agent + "']").getText().contains("Paused by the operator"));
        assertThat(browser.find("tr[data-agent-id='" + agent + "']").findElements(
                By.xpath(".//button[normalize-space(.)='Resume']"))).isEmpty();
        api.post("/api/agents/" + agent + "/resume").as(owner).json(Map.of("reason", "Released")).send()
                .expect(200);
        browser.reload();
        browser.find("tr[data-agent-id='" + agent + "']").findElement(
                By.xpath(".//button[normalize-space(.)='Pause']")).click();
        browser.type("dialog.confirm textarea.reason", "Paused by its own organization");
        browser.click("dialog.confirm button.confirm");
        browser.waitUntil("the agent is paused by its organization",
                () -> "paused".equals(api.get("/api/agents/" + agent).as(owner).send().text("status")));
        browser.find("tr[data-agent-id='" + agent + "']").findElement(
                By.xpath(".//button[normalize-space(.)='Resume']")).click();
        browser.type("dialog.confirm textarea.reason", "Resumed by its own organization");
        browser.click("dialog.confirm button.confirm");
        browser.waitUntil("the agent is active again",
                () -> "active".equals(api.get("/api/agents/" + agent).as(owner).send().text("status")));

        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    @Test
    @Order(21)
    void anOwnerWritesUploadsAndSearchesKnowledgeAndSharesADocument() throws Exception {
        browser.go("/#/knowledge");
        pick(orgA);
        browser.findWithText("knowledge-page h1", "Knowledge");
        browser.clickButton("Write a document");
        browser.type("knowledge-page input[name=title]", "Returns policy");
        browser.type("knowledge-page input[name=tags]", "returns, Support");
        browser.type("knowledge-page textarea[name=content]", "# Returns\n\nItems come back within thirty days "
                + "through the kestrelpost service, free of charge.");
        browser.clickButton("Add document");
        assertThat(browser.findWithText("table.documents tbody tr", "Returns policy").getText()).contains("returns, support");

        Path file = Files.createTempFile("opening-hours", ".md");
        Files.writeString(file, "# Opening hours\n\nThe desk opens at nine, and the kestrelpost van leaves at four.");
        browser.clickButton("Upload a file");
        browser.find("knowledge-page input[type=file]").sendKeys(file.toString());
        browser.type("knowledge-page input[name=title]", "Opening hours");
        browser.clickButton("Upload");
        browser.findWithText("table.documents tbody", "Opening hours");

        browser.type("knowledge-page input[name=q]", "kestrelpost");
        browser.clickButton("Search");
        browser.findWithText("ol.results", "Returns policy");
        assertThat(browser.all("ol.results li")).hasSize(2);
        assertThat(browser.all("ol.results mark")).isNotEmpty()
                .allSatisfy(m -> assertThat(m.getText()).isEqualToIgnoringCase("kestrelpost"));
        browser.screenshot("21-knowledge-search");

        browser.findWithText("table.documents tbody tr", "Returns policy").findElement(
                By.xpath(".//button[normalize-space(.)='Chunks']")).click();
        browser.findWithText("ol.chunks", "Returns");

        // A document of the default organization shared with every organization's agents.
        pick(DEFAULT_ORG);
        browser.clickButton("Write a document");
        browser.type("knowledge-page input[name=title]", "Platform FAQ");
        browser.type("knowledge-page textarea[name=content]", "Support answers every marmotfaq question within a day.");
        browser.click("knowledge-page input[name=shared]");
        browser.clickButton("Add document");
        assertThat(browser.findWithText("table.documents tbody tr", "Platform FAQ").getText()).contains("Shared");
        browser.screenshot("21-knowledge");
        List<String> titles = api.get("/api/knowledge/documents?limit=500").org(orgA).as(owner).send().expect(200)
                .items().stream().map(d -> d.path("title").asString()).toList();
        assertThat(titles).containsExactlyInAnyOrder("Returns policy", "Opening hours");
        pick(orgA);
    }

    @Test
    @Order(22)
    void aBoundUserKeepsTheirOrganizationsKnowledgeAndReadsSharedDocuments() throws Exception {
        switchTo(BOUND_EMAIL, "Bound User");
        browser.go("/#/knowledge");
        browser.findWithText("table.documents tbody", "Returns policy");
        WebElement shared = browser.findWithText("table.documents tbody tr", "Platform FAQ");
        assertThat(shared.getText()).contains("Shared").contains("Read-only");
        assertThat(shared.findElements(By.xpath(".//button[normalize-space(.)='Edit']"))).isEmpty();
        browser.type("knowledge-page input[name=q]", "marmotfaq");
        browser.clickButton("Search");
        assertThat(browser.findWithText("ol.results li", "Platform FAQ").getText()).contains("Shared");
        browser.type("knowledge-page input[name=q]", "!!!");
        browser.clickButton("Search");
        browser.findWithText("knowledge-page .error", "no words to search for");
        assertThat(browser.text("main")).doesNotContain("Beta Corp");
        browser.screenshot("22-bound-user-knowledge");

        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    @Test
    @Order(25)
    void anOwnerKeepsAnAgentsMemoryAndChoosesWhatBecomesOfItOnAMove() throws Exception {
        browser.go("/#/agents");
        pick(orgA);
        WebElement row = browser.findWithText("table.list tbody tr", "Ada Assistant");
        row.findElement(By.xpath(".//button[normalize-space(.)='Memory']")).click();
        browser.findWithText("agent-memory", "remembers nothing yet");
        for (String[] entry : List.of(new String[] {"preference", "Seat choice", "Prefers an aisle seat on ibisflights.",
                "5"}, new String[] {"fact", "Head office", "The head office is in Lyon.", "3"},
                new String[] {"relationship", "Contact", "Ask for Dana about ibisflights invoices.", "4"})) {
            browser.clickButton("Add to memory");
            new Select(browser.find("form.memory-form select[name=category]")).selectByValue(entry[0]);
            new Select(browser.find("form.memory-form select[name=importance]")).selectByValue(entry[3]);
            browser.type("form.memory-form input[name=title]", entry[1]);
            browser.type("form.memory-form textarea[name=content]", entry[2]);
            browser.clickButton("Add");
            browser.findWithText("li.memory-entry", entry[1]);
        }
        browser.findWithText("section.memory-group[data-category=preference] h4", "Preferences (1)");
        browser.screenshot("25-agent-memory");

        browser.type("agent-memory input[name=q]", "ibisflights");
        browser.waitUntilGone("agent-memory", "Head office");
        assertThat(browser.all("li.memory-entry")).hasSize(2);
        browser.screenshot("25-agent-memory-search");
        browser.find("agent-memory input[name=q]").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        browser.findWithText("agent-memory", "Head office");

        browser.findWithText("li.memory-entry", "Head office").findElement(
                By.xpath(".//button[normalize-space(.)='Edit']")).click();
        browser.type("form.memory-form input[name=title]", "Head office (moved)");
        browser.script("const input = document.querySelector('form.memory-form input[name=expiresAt]');"
                + "input.value = '2199-06-01T09:00'; input.dispatchEvent(new Event('input'));");
        browser.clickButton("Save");
        assertThat(browser.findWithText("li.memory-entry", "Head office (moved)").getText()).contains("forgotten in");
        browser.findWithText("li.memory-entry", "Contact").findElement(
                By.xpath(".//button[normalize-space(.)='Forget']")).click();
        browser.acceptConfirmation();
        browser.waitUntilGone("agent-memory", "Ask for Dana");
        List<String> titles = api.get("/api/agents/" + agentA + "/memory").as(owner).send().expect(200).items()
                .stream().map(e -> e.path("title").asString()).toList();
        assertThat(titles).containsExactly("Seat choice", "Head office (moved)");

        // Moving the agent to another client: the user is asked, and clearing clears. Its own rate
        // is in dollars and Beta Corp bills in euros: the user is asked about that too.
        api.patch("/api/agents/" + agentA).as(owner).json(Map.of("billingRateOverride", "120.00")).send().expect(200);
        row = browser.findWithText("table.list tbody tr", "Ada Assistant");
        row.findElement(By.xpath(".//button[normalize-space(.)='Details & keys']")).click();
        new Select(browser.find("tr.editor select[name=org]")).selectByValue(orgB);
        browser.clickButton("Move");
        browser.findWithText("dialog[open]", " USD of its own, and Beta Corp bills in EUR");
        browser.screenshot("25-move-asks-about-its-rate");
        // Not acceptConfirmation(): the next question opens as this one closes.
        browser.click("dialog[open] button.confirm");
        browser.findWithText("dialog[open]", "remembers 2 entries from its time in Acme <b>Bold</b> & Co");
        browser.screenshot("25-move-asks-about-memory");
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().text("clientOrgId")).isEqualTo(orgA);
        browser.choose("Move and clear its memory");
        browser.waitUntil("the agent is in Beta Corp",
                () -> orgB.equals(api.get("/api/agents/" + agentA).as(owner).send().text("clientOrgId")));
        assertThat(api.get("/api/agents/" + agentA).as(owner).send().json().path("billingRateOverride").isNull())
                .as("moved without its dollar rate").isTrue();
        assertThat(api.get("/api/agents/" + agentA + "/memory").as(owner).send().expect(200).items()).isEmpty();
        JsonNode assigned = api.get("/api/audit?action=agent.assigned&limit=500").org(orgB).as(owner).send()
                .expect(200).items().get(0);
        assertThat(assigned.path("after").path("memory").asString()).isEqualTo("cleared");

        // Through the default organization is no way around the question: unassigning asks too.
        api.post("/api/agents/" + agentA + "/memory").as(owner).json(Map.of("category", "fact", "title",
                "Beta detail", "content", "Learned at Beta.")).send().expect(201);
        browser.go("/#/organizations/" + orgB + "/agents");
        browser.findWithText("h1", "Beta Corp");
        browser.findWithText("table.list tbody tr", "Ada Assistant").findElement(
                By.xpath(".//button[normalize-space(.)='Unassign']")).click();
        browser.findWithText("dialog[open]", "remembers 1 entry from its time in Beta Corp");
        browser.choose("Move and clear its memory");
        browser.waitUntil("the agent is in the default organization", () -> DEFAULT_ORG.equals(
                api.get("/api/agents/" + agentA).as(owner).send().text("clientOrgId")));
        assertThat(api.get("/api/agents/" + agentA + "/memory").as(owner).send().expect(200).items()).isEmpty();
        api.post("/api/agents/" + agentA + "/assign-org").as(owner).json(Map.of("orgId", orgA)).send().expect(200);
    }

    @Test
    @Order(26)
    void aBoundUserReadsAndKeepsTheirAgentsMemoryOnly() throws Exception {
        api.post("/api/agents/" + agentA + "/memory").as(owner).json(Map.of("category", "context", "title",
                "Quarter goals", "content", "Close the pelicanaccount renewal.")).send().expect(201);
        api.post("/api/agents/" + agentB + "/memory").as(owner).json(Map.of("category", "context", "title",
                "Beta secret", "content", "Only for Beta.")).send().expect(201);
        switchTo(BOUND_EMAIL, "Bound User");
        browser.go("/#/agents");
        WebElement row = browser.findWithText("table.list tbody tr", "Ada Assistant");
        assertThat(row.findElements(By.xpath(".//button[normalize-space(.)='Details & keys']"))).isEmpty();
        row.findElement(By.xpath(".//button[normalize-space(.)='Memory']")).click();
        browser.findWithText("li.memory-entry", "Quarter goals");
        browser.clickButton("Add to memory");
        browser.type("form.memory-form input[name=title]", "Bound note");
        browser.type("form.memory-form textarea[name=content]", "x".repeat(20));
        browser.clickButton("Add");
        browser.findWithText("li.memory-entry", "Bound note");
        browser.clickButton("Add to memory");
        browser.type("form.memory-form input[name=title]", "Too long");
        browser.script("const area = document.querySelector('form.memory-form textarea[name=content]');"
                + "area.value = 'é'.repeat(9000); area.dispatchEvent(new Event('input'));");
        browser.clickButton("Add");
        browser.findWithText("form.memory-form .error", "16 KB");
        browser.screenshot("26-bound-user-memory");
        assertThat(browser.text("main")).doesNotContain("Beta secret").doesNotContain("Bea Bot");

        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    @Test
    @Order(27)
    void anOwnerKeepsCredentialsSeesNoValueAndReadsTheirHistory() throws Exception {
        String first = "sk-first-" + UUID.randomUUID();
        String second = "sk-second-" + UUID.randomUUID();
        browser.go("/#/vault");
        pick(orgA);
        browser.findWithText("vault-page", "No credentials yet");
        browser.clickButton("Add a credential");
        browser.waitUntil("the name field has the focus", () -> "name".equals(
                browser.script("return document.activeElement?.getAttribute('name')")));
        browser.type("vault-page input[name=name]", "OPENAI_API_KEY");
        browser.type("vault-page input[name=description]", "For the mailer");
        browser.script("const input = document.querySelector('vault-page input[name=expiresAt]');"
                + "input.value = new Date(Date.now() + 5 * 86400000 - new Date().getTimezoneOffset() * 60000)"
                + ".toISOString().slice(0, 16); input.dispatchEvent(new Event('input'));");
        browser.type("vault-page input[name=value]", first);
        assertThat(browser.find("vault-page input[name=value]").getDomAttribute("type")).isEqualTo("password");
        browser.clickButton("Store credential");
        WebElement row = browser.findWithText("table.credentials tbody tr", "OPENAI_API_KEY");
        // Five days less the moment it took: 4 whole days and 23 whole hours left.
        assertThat(row.getText()).contains("Expires in 4 days, 23 hours").contains(first.substring(first.length() - 4));

        browser.clickButton("Add a credential");
        browser.type("vault-page input[name=name]", "ADA_ONLY");
        browser.click("vault-page input[name=scope][value=agent]");
        new Select(browser.find("vault-page select[name=agentId]")).selectByVisibleText("Ada Assistant");
        browser.type("vault-page input[name=value]", "ada-secret-value-1234567");
        browser.clickButton("Store credential");
        assertThat(browser.findWithText("table.credentials tbody tr", "ADA_ONLY").getText())
                .contains("Agent: Ada Assistant");

        String expiresAt = api.get("/api/credentials").org(orgA).as(owner).send().expect(200).items().stream()
                .filter(c -> c.path("name").asString().equals("OPENAI_API_KEY")).findFirst().orElseThrow()
                .path("expiresAt").asString();
        row = browser.findWithText("table.credentials tbody tr", "OPENAI_API_KEY");
        row.findElement(By.xpath(".//button[normalize-space(.)='Rotate']")).click();
        browser.type("vault-page tr.editor input[name=value]", second);
        browser.click("vault-page tr.editor input[type=checkbox]");
        assertThat(browser.find("vault-page tr.editor input[name=value]").getDomAttribute("type")).isEqualTo("text");
        browser.screenshot("27-vault-rotate");
        browser.clickButton("Rotate value");
        browser.waitUntilGone("vault-page", "New value for");
        assertThat(browser.findWithText("table.credentials tbody tr", "OPENAI_API_KEY").getText())
                .contains(second.substring(second.length() - 4)).contains("Expires in 4 days, 23 hours");
        // The expiry the form showed to the minute and was left alone stays to the second.
        assertThat(api.get("/api/credentials").org(orgA).as(owner).send().expect(200).items().stream()
                .filter(c -> c.path("name").asString().equals("OPENAI_API_KEY")).findFirst().orElseThrow()
                .path("expiresAt").asString()).isEqualTo(expiresAt);

        String key = new Platform(api).issueKey(agentA);
        assertThat(api.get("/agent/v1/credentials/OPENAI_API_KEY").as(key).send().expect(200).text("value"))
                .isEqualTo(second);
        browser.go("/#/agents");
        browser.go("/#/vault");
        row = browser.findWithText("table.credentials tbody tr", "OPENAI_API_KEY");
        row.findElement(By.xpath(".//button[normalize-space(.)='Reads']")).click();
        assertThat(browser.findWithText("table.reads tbody tr", "Ada Assistant").getText()).contains("2");
        browser.screenshot("27-vault");
        String page = String.valueOf(browser.script("return document.documentElement.outerHTML"));
        assertThat(page).doesNotContain(first).doesNotContain(second).doesNotContain("ada-secret-value");

        browser.findWithText("table.credentials tbody tr", "ADA_ONLY").findElement(
                By.xpath(".//button[normalize-space(.)='Delete']")).click();
        browser.acceptConfirmation();
        browser.waitUntilGone("table.credentials", "ADA_ONLY");

        String keyBefore = browser.find("vault-page section.card code").getText();
        browser.clickButton("Rotate master key");
        browser.acceptConfirmation();
        browser.waitUntil("the master key has changed",
                () -> !browser.find("vault-page section.card code").getText().equals(keyBefore));
        browser.screenshot("27-vault-master-key");
        assertThat(api.get("/agent/v1/credentials/OPENAI_API_KEY").as(key).send().expect(200).text("value"))
                .isEqualTo(second);
        // In the all-organizations view each credential says whose it is (browser tester: one
        // name in three orgs read as three identical rows).
        pick("");
        browser.waitUntil("the credential's row names its organization", () -> browser.findWithText(
                "table.credentials tbody tr", "OPENAI_API_KEY").getText().contains("Acme <b>Bold</b> & Co"));
        pick(orgA);
        browser.waitUntil("the vault lists the organization's credentials again", () -> !browser.findWithText(
                "table.credentials tbody tr", "OPENAI_API_KEY").getText().contains("Acme <b>Bold</b> & Co"));
    }

    @Test
    @Order(28)
    void aBoundUserKeepsTheirOrganizationsCredentialsOnlyWithExpiryMarked() throws Exception {
        api.post("/api/credentials").org(orgB).as(owner).json(Map.of("name", "BETA_ONLY", "kind", "password",
                "value", "beta-password")).send().expect(201);
        api.post("/api/credentials").org(orgA).as(owner).json(Map.of("name", "OLD_SMTP", "kind", "smtp",
                "value", "old-smtp-password", "expiresAt", Instant.now().plusSeconds(1).toString())).send()
                .expect(201);
        Thread.sleep(1_100);
        switchTo(BOUND_EMAIL, "Bound User");
        browser.go("/#/vault");
        assertThat(browser.findWithText("table.credentials tbody tr", "OLD_SMTP").getText()).contains("Expired");
        browser.findWithText("vault-page .expiry-summary", "1 expired");
        browser.clickButton("Add a credential");
        browser.type("vault-page input[name=name]", "OLD_SMTP");
        new Select(browser.find("vault-page select[name=kind]")).selectByValue("oauth_token");
        browser.type("vault-page input[name=value]", "crm-token-value");
        browser.clickButton("Store credential");
        browser.findWithText("vault-page form .error", "already has a credential named 'OLD_SMTP'");
        browser.type("vault-page input[name=name]", "CRM_TOKEN");
        browser.clickButton("Store credential");
        browser.findWithText("table.credentials tbody tr", "CRM_TOKEN");
        browser.screenshot("28-bound-user-vault");

        // The expired one renewed in one step: a new value with a new expiry.
        browser.findWithText("table.credentials tbody tr", "OLD_SMTP").findElement(
                By.xpath(".//button[normalize-space(.)='Rotate']")).click();
        browser.findWithText("vault-page tr.editor", "The current value expired");
        assertThat(browser.find("vault-page tr.editor input[name=expiresAt]").getDomProperty("value")).isEmpty();
        browser.script("const input = document.querySelector('vault-page tr.editor input[name=expiresAt]');"
                + "input.value = new Date(Date.now() + 30 * 86400000 - new Date().getTimezoneOffset() * 60000)"
                + ".toISOString().slice(0, 16); input.dispatchEvent(new Event('input'));");
        browser.type("vault-page tr.editor input[name=value]", "new-smtp-password");
        browser.screenshot("28-bound-user-vault-renew");
        browser.clickButton("Rotate value");
        browser.waitUntilGone("vault-page", "New value for");
        browser.waitUntilGone("vault-page", "1 expired");
        assertThat(browser.findWithText("table.credentials tbody tr", "OLD_SMTP").getText()).doesNotContain("Expired");
        assertThat(api.get("/api/credentials").org(orgA).as(owner).send().expect(200).items().stream()
                .filter(c -> c.path("name").asString().equals("OLD_SMTP")).findFirst().orElseThrow()
                .path("expiry").asString()).isEqualTo("valid");
        assertThat(browser.text("main")).doesNotContain("BETA_ONLY").doesNotContain("Master key")
                .doesNotContain("crm-token-value");
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    /**
     * The gateway set up from Settings (a provider whose key is picked from the vault by name,
     * a route with a fallback), then an organization's Gateway tab: its calls charted, the
     * latest ones with their guardrail decisions, and its settings changed with errors shown
     * in the form's words.
     */
    @Test
    @Order(29)
    void theGatewayIsSetUpInSettingsAndAnOrganizationsCallsAreChartedInItsTab() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            api.post("/api/credentials").org(DEFAULT_ORG).as(owner).json(Map.of("name", "BROWSER_UPSTREAM_KEY", "kind",
                    "api_key", "value", "sk-browser-upstream-secret", "agentReadable", false)).send().expect(201);
            browser.go("/#/settings");
            browser.type("providers-routes input[name=providerName]", "browser-upstream");
            browser.type("providers-routes input[name=baseUrl]", upstream.baseUrl());
            new Select(browser.find("providers-routes select[name=keyCredential]"))
                    .selectByVisibleText("BROWSER_UPSTREAM_KEY");
            browser.clickButton("Add provider");
            assertThat(browser.findWithText("table.providers tbody tr", "browser-upstream").getText())
                    .contains("BROWSER_UPSTREAM_KEY");
            browser.type("providers-routes input[name=routeModel]", "browser-gpt");
            new Select(browser.find("providers-routes select[name=targetProvider]"))
                    .selectByVisibleText("browser-upstream");
            browser.type("providers-routes input[name=upstreamModel]", "upstream-browser");
            browser.type("providers-routes input[name=maxOutputTokens]", "0");
            browser.clickButton("Add route");
            browser.findWithText("providers-routes .error", "Output limit");
            browser.type("providers-routes input[name=maxOutputTokens]", "4000");
            browser.clickButton("Add route");
            assertThat(browser.findWithText("table.routes tbody tr", "browser-gpt").getText())
                    .contains("browser-upstream: upstream-browser").contains("at most 4000 tokens out");
            browser.screenshot("29-providers-routes");
            assertThat(String.valueOf(browser.script("return document.documentElement.outerHTML")))
                    .doesNotContain("sk-browser-upstream-secret");

            // A provider a route uses is changed in place: the form starts from it, refuses what the
            // server refuses, and keeps what it does not show.
            browser.findWithText("table.providers tbody tr", "browser-upstream")
                    .findElement(By.xpath(".//button[normalize-space(.)='Edit']")).click();
            assertThat(browser.find("form.provider-editor input[name=baseUrl]").getDomProperty("value"))
                    .isEqualTo(upstream.baseUrl());
            assertThat(new Select(browser.find("form.provider-editor select[name=keyCredential]"))
                    .getFirstSelectedOption().getText()).isEqualTo("BROWSER_UPSTREAM_KEY");
            browser.type("form.provider-editor input[name=firstByteTimeoutMs]", "50");
            browser.clickButton("Save provider");
            browser.findWithText("form.provider-editor .error", "First byte timeout");
            browser.type("form.provider-editor input[name=firstByteTimeoutMs]", "30000");
            browser.screenshot("29-provider-edit");
            browser.clickButton("Save provider");
            browser.waitUntilGone("providers-routes", "Save provider");
            JsonNode changed = api.get("/api/settings/providers").as(owner).send().expect(200).items().stream()
                    .filter(p -> p.path("name").asString().equals("browser-upstream")).findFirst().orElseThrow();
            assertThat(changed.path("firstByteTimeoutMs").asInt()).isEqualTo(30000);
            assertThat(changed.path("keyCredential").asString()).isEqualTo("BROWSER_UPSTREAM_KEY");
            assertThat(changed.path("baseUrl").asString()).isEqualTo(upstream.baseUrl());

            api.post("/api/guardrails/rules").org(orgA).as(owner).json(Map.of("name", "No e-mail upstream", "type",
                    "pii", "detectors", List.of("email"), "direction", "input", "action", "redact")).send()
                    .expect(201);
            String key = new Platform(api).issueKey(agentA);
            for (int i = 0; i < 3; i++) {
                api.post("/agent/v1/chat/completions").as(key).json(Map.of("model", "browser-gpt", "messages",
                        List.of(Map.of("role", "user", "content", "Hello " + i)))).send().expect(200);
            }
            api.post("/agent/v1/chat/completions").as(key).json(Map.of("model", "browser-gpt", "stream", true,
                    "messages", List.of(Map.of("role", "user", "content", "Mail ada@example.com")))).send()
                    .expect(200);
            api.post("/agent/v1/chat/completions").as(key).json(Map.of("model", "browser-nothing", "messages",
                    List.of(Map.of("role", "user", "content", "Hi")))).send().expect(404);
            upstream.then(FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING);
            api.post("/agent/v1/chat/completions").as(key).json(Map.of("model", "browser-gpt", "messages",
                    List.of(Map.of("role", "user", "content", "Fail")))).send().expect(502);

            browser.go("/#/organizations/" + orgA + "/gateway");
            browser.findWithText("[role=tab][aria-selected=true]", "Gateway");
            browser.waitUntil("three charts are drawn", () -> browser.all("gateway-chart canvas").size() == 3);
            assertThat(browser.find("gateway-chart .plot").getDomAttribute("aria-label"))
                    .contains("Requests").contains("Answered: 4 in all").contains("Refused: 1 in all");
            assertThat(browser.findWithText("table.gateway-requests tbody tr", "in: redact").getText())
                    .contains("browser-gpt").contains("first token");
            browser.findWithText("table.gateway-requests tbody tr", "model_not_found");
            assertThat(browser.findWithText("table.gateway-requests tbody tr", "upstream_error").getText())
                    .as("the route's target that failed, and how often").contains("browser-upstream: failed (3 tries)");
            browser.screenshot("29-gateway");

            browser.type("form.gateway-settings input[name=requestsPerMinute]", "0");
            browser.clickButton("Save settings");
            browser.findWithText("form.gateway-settings .error", "Requests per minute (organization)");
            browser.type("form.gateway-settings input[name=requestsPerMinute]", "600");
            new Select(browser.find("form.gateway-settings select[name=budgetEnforcement]")).selectByValue("block");
            browser.clickButton("Save settings");
            browser.findWithText("form.gateway-settings .ok", "Saved");
            JsonNode settings = api.get("/api/gateway/settings").org(orgA).as(owner).send().expect(200).json();
            assertThat(settings.path("requestsPerMinute").asInt()).isEqualTo(600);
            assertThat(settings.path("budgetEnforcement").asString()).isEqualTo("block");
            browser.screenshot("29-gateway-settings");
            api.patch("/api/gateway/settings").org(orgA).as(owner).json(Map.of("budgetEnforcement", "alert",
                    "requestsPerMinute", "600")).send().expect(200);
        }
    }

    /**
     * Every page opened after every other, for an owner (all pages) and a bound user (theirs):
     * each time the page opened is the only one on screen, and the console shows no error. A
     * page that cannot be left (one whose element breaks its own removal) stacks the next page
     * under it, which this catches.
     */
    @Test
    @Order(30)
    void everyPageOpensAfterEveryOtherAloneAndWithoutConsoleErrors() throws Exception {
        walkEveryPageAfterEveryOther("the owner");
        switchTo(BOUND_EMAIL, "Bound User");
        walkEveryPageAfterEveryOther("a bound user");
    }

    /**
     * A user given Settings without costs: the page opens with the model aliases and says why
     * it shows no prices or rates (the server refuses them), with no error in the console.
     */
    @Test
    @Order(31)
    void settingsWithoutCostsShowNoPricesOrRates() throws Exception {
        String email = "settings-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Sol Settings", "password",
                Platform.PASSWORD, "role", "user", "pages", List.of("dashboard", "settings"))).send().expect(201);
        switchTo(email, "Sol Settings");
        browser.consoleErrors();
        browser.go("/#/settings");
        browser.findWithText("settings-page [data-note=costs]", "do not include costs");
        browser.find("settings-page section[aria-labelledby=aliases-title]");
        assertThat(browser.all("settings-page table.models, settings-page table.rates")).isEmpty();
        assertThat(browser.all("settings-page .error")).isEmpty();
        browser.screenshot("31-settings-without-costs");
        assertThat(browser.consoleErrors()).isEmpty();
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    /**
     * An automated accessibility audit (axe-core, WCAG 2.1 A and AA rules) of every page and
     * both tabs of an organization, for a bound user and for the owner: no serious or
     * critical violation.
     */
    @Test
    @Order(32)
    @ExtendWith(NodeTools.class)
    void everyPagePassesAnAccessibilityAudit() throws Exception {
        String axe = Files.readString(NodeTools.installed("axe-core/axe.min.js"));
        List<String> found = new ArrayList<>();
        audit("a bound user", axe, List.of("#/organizations/" + orgA + "/agents", "#/organizations/" + orgA
                + "/billing", "#/organizations/" + orgA + "/gateway"), found);
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
        audit("the owner", axe, List.of("#/organizations/" + orgA + "/agents", "#/organizations/" + orgB
                + "/billing", "#/organizations/" + orgA + "/gateway"), found);
        assertThat(found).as("serious or critical accessibility violations").isEmpty();
    }

    /**
     * A user rebound to another organization while signed in: the next refusal shows the
     * dashboard that it was made for the user as they were, and it starts again as they are.
     */
    @Test
    @Order(33)
    void aUserReboundWhileSignedInIsShownTheirNewOrganization() throws Exception {
        String email = "rebound-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        String id = api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Rebound User", "password",
                Platform.PASSWORD, "role", "user", "clientOrgId", orgA, "pages", List.of("agents", "knowledge")))
                .send().expect(201).text("id");
        switchTo(email, "Rebound User");
        browser.go("/#/agents");
        browser.findWithText("org-switcher", "Acme <b>Bold</b> & Co");

        api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("role", "user", "clientOrgId", orgB,
                "pages", List.of("agents", "knowledge"))).send().expect(200);
        // Within the open dashboard, not a new load of it: its next call still names Acme.
        browser.script("location.hash = '#/knowledge'");
        browser.findWithText("org-switcher", "Beta Corp");
        browser.findWithText("h1", "Knowledge");
        assertThat(browser.text("main")).doesNotContain("locked to your own organization");
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    /** Home's figures are billing's: a user given Home but not Billing sees none, and is pointed to their pages. */
    @Test
    @Order(34)
    void aUserWithoutTheBillingPageSeesNoFiguresAtHome() throws Exception {
        String email = "no-billing-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Nobill User", "password",
                Platform.PASSWORD, "role", "user", "clientOrgId", orgA, "pages", List.of("dashboard", "agents")))
                .send().expect(201);
        switchTo(email, "Nobill User");
        // What earlier tests left in the console (the refusals that show a rebound user the change) is theirs.
        browser.consoleErrors();
        browser.go("/#/dashboard");
        browser.findWithText("home-page [data-figure=none]", "do not include it");
        assertThat(browser.all("home-page [data-figure=revenue]")).isEmpty();
        assertThat(browser.all("home-page money-chart")).isEmpty();
        assertThat(browser.find("home-page a[href='#/agents']").getText()).isEqualTo("Agents");
        assertThat(browser.text("main")).doesNotContain("USD").doesNotContain("Margin");
        browser.screenshot("34-home-without-billing");
        // Nor the rates on the Agents page: the server sends them as null, and the column is not there.
        String agent = "Unpriced view " + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/agents").as(owner).org(orgA).json(Map.of("name", agent)).send().expect(201);
        browser.go("/#/agents");
        browser.findWithText("agents-page tbody tr", agent);
        assertThat(browser.text("agents-page thead")).contains("Status").doesNotContain("Rate");
        assertThat(browser.text("agents-page tbody")).doesNotContainPattern("\\d\\.\\d\\d").doesNotContain("—");
        browser.screenshot("34-agents-without-billing");
        assertThat(browser.consoleErrors()).isEmpty();
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    /**
     * A user bound to no organization, given Billing and costs: the organization they pick is the
     * one whose billing, and costs, they see.
     */
    @Test
    @Order(35)
    void anUnboundUserWithBillingAndCostsSeesThePickedOrganizationsBilling() throws Exception {
        String email = "free-billing-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        Map<String, Object> user = new java.util.HashMap<>(Map.of("email", email, "name", "Fran Free", "password",
                Platform.PASSWORD, "role", "user", "pages", List.of("dashboard", "billing", "costs")));
        user.put("clientOrgId", null);
        api.post("/api/users").as(owner).json(user).send().expect(201);
        switchTo(email, "Fran Free");
        browser.consoleErrors();
        browser.go("/#/billing");
        browser.findWithText("billing-overview .empty", "Pick an organization in the switcher");
        pick(orgB);
        browser.findWithText("billing-overview .page-head", "Beta Corp");
        browser.find("billing-overview [data-figure=revenue]");
        String bound = Platform.login(api, email, Platform.PASSWORD);
        JsonNode statement = api.get("/api/organizations/" + orgB + "/billing?month="
                + YearMonth.now(ZoneOffset.UTC)).as(bound).send().expect(200).json();
        assertThat(browser.text("[data-figure=revenue]")).isEqualTo(statement.path("revenue").asString() + " EUR");
        // Given costs as well: the agency's side of the bill too.
        assertThat(browser.text("billing-overview h1")).isEqualTo("Billing & Costs");
        browser.find("billing-overview [data-figure=cost]");
        assertThat(browser.text("table.statement thead")).contains("Cost");
        assertThat(browser.text("main")).doesNotContain("Pick All organizations");
        browser.screenshot("35-unbound-user-billing");
        assertThat(browser.consoleErrors()).isEmpty();
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    /**
     * Picking two organizations in quick succession while the first one's answers are slow:
     * the switcher and the page end on the second, and no late answer about the first lands on
     * them (the switcher showing one org while the page showed, and wrote to, another).
     */
    @Test
    @Order(36)
    void lateAnswersAboutAnOrganizationPickedBeforeDoNotLandOnThePage() throws Exception {
        browser.go("/#/agents");
        pick(orgB);
        browser.findWithText("table.list tbody", "Bea Bot");
        browser.consoleErrors();
        browser.script("window.__fetch = window.fetch; window.fetch = (url, init) => { const answer = "
                + "window.__fetch(url, init); return init?.headers?.['X-Org-Id'] === arguments[0] ? answer.then("
                + "(r) => new Promise((done) => setTimeout(() => done(r), 1500))) : answer; };"
                .replace("arguments[0]", "'" + orgA + "'"));
        try {
            pick(orgA);
            pick(orgB);
            Thread.sleep(2500);
            assertThat(browser.find("org-switcher select").getDomProperty("value")).isEqualTo(orgB);
            assertThat(browser.text("table.list tbody")).contains("Bea Bot").doesNotContain("Ada Assistant");
        } finally {
            browser.script("window.fetch = window.__fetch;");
        }
        browser.screenshot("36-late-answers-dropped");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    /** Names run to 200 characters without a space: they wrap in their cards, the audit log and search results. */
    @Test
    @Order(37)
    void longUnbrokenNamesWrapRatherThanWidenThePage() throws Exception {
        String longName = "L".repeat(200);
        String org = api.post("/api/organizations").as(owner).json(Map.of("name", longName)).send().expect(201).id();
        api.post("/api/agents").as(owner).org(org).json(Map.of("name", "A".repeat(200))).send().expect(201);
        api.post("/api/knowledge/documents").org(DEFAULT_ORG).as(owner).json(Map.of("title", "T".repeat(200),
                "content", "wrenfeather " + "Q".repeat(4000))).send().expect(201);
        browser.go("/#/organizations");
        browser.type("input[placeholder='Search by name or slug']", longName.substring(0, 30));
        browser.findWithText("li.org", longName.substring(0, 20));
        assertThat(sidewaysOverflow()).as("the organizations page").isLessThanOrEqualTo(0L);
        browser.go("/#/audit");
        pick("");
        browser.findWithText("table.list tbody", longName.substring(0, 20));
        assertThat(sidewaysOverflow()).as("the audit log of every organization").isLessThanOrEqualTo(0L);
        browser.go("/#/knowledge");
        pick(DEFAULT_ORG);
        browser.type("knowledge-page input[name=q]", "wrenfeather");
        browser.clickButton("Search");
        browser.find("ol.results li");
        assertThat(sidewaysOverflow()).as("knowledge search results").isLessThanOrEqualTo(0L);
        browser.screenshot("37-long-names-wrap");
        pick("");
        browser.go("/#/agents");
        browser.findWithText("table.list tbody", "A".repeat(20));
        assertThat(sidewaysOverflow()).as("the agents of every organization").isLessThanOrEqualTo(0L);
        browser.go("/#/organizations/" + org + "/billing");
        browser.find("[data-figure=revenue]");
        assertThat(sidewaysOverflow()).as("the organization's billing").isLessThanOrEqualTo(0L);
        pick("");
    }

    @Test
    @Order(38)
    void anOperatorDeletesAnAgentFromItsDetails() throws Exception {
        Platform platform = new Platform(api);
        String doomed = platform.createAgent(orgA, "Doomed Drone");
        String key = platform.issueKey(doomed);
        browser.go("/#/agents");
        pick(orgA);
        browser.findWithText("table.list tbody tr", "Doomed Drone").findElement(
                By.xpath(".//button[normalize-space(.)='Details & keys']")).click();
        browser.clickButton("Delete agent");
        browser.findWithText("dialog[open]", "This cannot be undone");
        browser.screenshot("38-delete-agent");
        browser.acceptConfirmation();
        browser.waitUntilGone("table.list tbody", "Doomed Drone");
        api.get("/api/agents/" + doomed).as(owner).send().expect(404);
        api.get("/agent/v1/policies").as(key).send().expect(401);
        pick("");
    }

    /**
     * A client user changes their own password from the header: a wrong current password and a
     * mistyped repetition are told in words and change nothing; the change keeps this session
     * and ends the account's others. A sign-out that cannot reach the server says so.
     */
    @Test
    @Order(39)
    void aUserChangesTheirOwnPasswordFromTheHeader() throws Exception {
        String email = "own-password-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Pat Password", "password",
                Platform.PASSWORD, "role", "user", "pages", List.of("agents"), "clientOrgId", orgA)).send()
                .expect(201);
        String elsewhere = Platform.login(api, email, Platform.PASSWORD);
        switchTo(email, "Pat Password");
        browser.consoleErrors();
        browser.clickButton("Password");
        browser.findWithText("dialog[open] h2", "Change your password");
        fillPasswordDialog("not my password", "a new long passphrase", "a new long passphrase");
        browser.findWithText("dialog[open] .error", "Current password is wrong");
        browser.screenshot("39-own-password-refused");
        assertThat(browser.consoleErrors()).as("the refusal, and nothing else").singleElement()
                .satisfies(e -> assertThat(e).contains("/api/me/password").contains("400"));
        api.get("/api/me").as(elsewhere).send().expect(200);
        fillPasswordDialog(Platform.PASSWORD, "a new long passphrase", "a new long passphrasf");
        browser.findWithText("dialog[open] .error", "type it the same way twice");
        fillPasswordDialog(Platform.PASSWORD, "a new long passphrase", "a new long passphrase");
        browser.findWithText("dialog[open] [role=status]", "Your password is changed");
        browser.screenshot("39-own-password-changed");
        browser.click("dialog[open] button.cancel");
        api.get("/api/me").as(elsewhere).send().expect(401);
        Platform.login(api, email, "a new long passphrase");
        // The renewed session's first write (another change, straight away) carries a CSRF token.
        browser.clickButton("Password");
        fillPasswordDialog("a new long passphrase", "a third long passphrase", "a third long passphrase");
        browser.findWithText("dialog[open] [role=status]", "Your password is changed");
        browser.click("dialog[open] button.cancel");
        Platform.login(api, email, "a third long passphrase");
        browser.go("/#/agents");
        browser.findWithText("main h1", "Agents");
        browser.findWithText("table.list tbody", "Ada Assistant");
        assertThat(browser.text(".who")).contains("Pat Password");
        assertThat(browser.consoleErrors()).isEmpty();
        // Signing out right after ends the renewed session on the server too.
        browser.clickButton("Sign out");
        browser.findWithText("h1", "Sign in to Tenantry");
        assertThat(browser.script("return fetch('/api/me', { credentials: 'same-origin' }).then((r) => r.status)"))
                .isEqualTo(401L);
        browser.reload();
        browser.findWithText("h1", "Sign in to Tenantry");
        browser.consoleErrors();
        signInByKeyboard(browser, Platform.OWNER_EMAIL);
        browser.findWithText(".who", "Olive Owner");
        // A sign-out that cannot reach the server says so and keeps the dashboard: the session lives on.
        browser.script("const real = window.fetch; window.fetch = (url, options) => String(url).includes("
                + "'/api/auth/logout') ? Promise.reject(new TypeError('Failed to fetch')) : real(url, options);"
                + " window.restoreFetch = () => { window.fetch = real; };");
        browser.clickButton("Sign out");
        browser.findWithText(".sign-out-failed", "You are still signed in");
        browser.screenshot("39-sign-out-failed");
        assertThat(browser.text(".who")).contains("Olive Owner");
        assertThat(browser.script("return fetch('/api/me', { credentials: 'same-origin' }).then((r) => r.status)"))
                .isEqualTo(200L);
        browser.script("window.restoreFetch()");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    /** Types the three passwords into the open password dialog, each field cleared first, and submits it. */
    private void fillPasswordDialog(String current, String next, String repeated) {
        for (Map.Entry<String, String> field : List.of(Map.entry("currentPassword", current),
                Map.entry("newPassword", next), Map.entry("repeated", repeated))) {
            browser.find("dialog[open] input[name=" + field.getKey() + "]").clear();
            browser.type("dialog[open] input[name=" + field.getKey() + "]", field.getValue());
        }
        browser.click("dialog[open] button[type=submit]");
    }

    /**
     * An operator sets a user's forgotten password in the user's editor, which signs that user
     * out everywhere; their own row sends them to Password at the top instead.
     */
    @Test
    @Order(40)
    void anOperatorSetsAUsersNewPasswordInTheEditor() throws Exception {
        String email = "forgot-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        String id = api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Forgetful Fay",
                "password", Platform.PASSWORD, "role", "user", "pages", List.of("agents"), "clientOrgId", orgA))
                .send().expect(201).id();
        String session = Platform.login(api, email, Platform.PASSWORD);
        browser.go("/#/users");
        browser.findWithText("main h1", "Users");
        browser.consoleErrors();
        browser.find("tr[data-user-id='" + platformUserId(owner) + "'] button").click();
        browser.findWithText("form.permissions .hint", "Password at the top");
        assertThat(browser.all("form.permissions input[name=password]")).isEmpty();
        browser.clickButton("Cancel");
        browser.find("tr[data-user-id='" + id + "'] button").click();
        browser.type("form.permissions input[name=password]", "a password set for Fay");
        browser.screenshot("40-operator-sets-password");
        browser.clickButton("Save");
        browser.waitUntil("the editor closes", () -> browser.all("form.permissions").isEmpty());
        api.get("/api/me").as(session).send().expect(401);
        Platform.login(api, email, "a password set for Fay");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    /** An admin is offered Edit only where an admin may change something: users, and their own account. */
    @Test
    @Order(41)
    void anAdminIsOfferedEditOnlyWhereAnAdminMayEdit() throws Exception {
        String email = "adam-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        Map<String, Object> admin = new java.util.HashMap<>(Map.of("email", email, "name", "Adam Admin", "password",
                Platform.PASSWORD, "role", "admin"));
        admin.put("clientOrgId", null);
        String adminId = api.post("/api/users").as(owner).json(admin).send().expect(201).id();
        String ownerId = platformUserId(owner);
        switchTo(email, "Adam Admin");
        browser.consoleErrors();
        browser.go("/#/users");
        browser.findWithText("main h1", "Users");
        browser.find("tr[data-user-id='" + ownerId + "']");
        assertThat(browser.all("tr[data-user-id='" + ownerId + "'] button")).as("the owner's row").isEmpty();
        assertThat(browser.all("tr[data-user-id='" + adminId + "'] button")).as("their own row").hasSize(1);
        browser.findWithText("table.users tbody tr", "Bound User").findElement(By.tagName("button"));
        browser.screenshot("41-admin-users-page");
        assertThat(browser.consoleErrors()).isEmpty();
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    /**
     * The editor saved the name and e-mail, then the pages: a taken address was refused after
     * the first part had not been, or the other way round. It saves in one request now.
     */
    @Test
    @Order(42)
    void theUserEditorSavesEverythingOrNothing() throws Exception {
        String taken = "taken-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        api.post("/api/users").as(owner).json(Map.of("email", taken, "name", "Taken Address", "password",
                Platform.PASSWORD, "role", "user", "pages", List.of("agents"), "clientOrgId", orgA)).send()
                .expect(201);
        String email = "edited-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
        String id = api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Eddie Edited",
                "password", Platform.PASSWORD, "role", "user", "pages", List.of("agents"), "clientOrgId", orgA))
                .send().expect(201).id();
        browser.go("/#/users");
        // The list may be showing already, from before these users were made.
        browser.reload();
        browser.findWithText("main h1", "Users");
        browser.consoleErrors();
        browser.find("tr[data-user-id='" + id + "'] button").click();
        browser.find("form.permissions");
        browser.type("form.permissions input[type=email]", taken);
        browser.find("form.permissions input[value=billing]").click();
        browser.clickButton("Save");
        browser.findWithText("form.permissions .error", taken);
        browser.screenshot("42-user-editor-refused");
        assertThat(browser.consoleErrors()).as("the refusal, and nothing else").singleElement()
                .satisfies(e -> assertThat(e).contains("/api/users/" + id).contains("409"));
        JsonNode unchanged = api.get("/api/users/" + id).as(owner).send().expect(200).json();
        assertThat(unchanged.path("email").asString()).isEqualTo(email);
        assertThat(unchanged.path("pages").toString()).as("the pages saved with the refused address")
                .isEqualTo("[\"agents\"]");

        browser.type("form.permissions input[type=email]", email);
        browser.clickButton("Save");
        browser.waitUntil("the editor closes", () -> browser.all("form.permissions").isEmpty());
        assertThat(api.get("/api/users/" + id).as(owner).send().expect(200).json().path("pages").toString())
                .isEqualTo("[\"agents\",\"billing\"]");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    /**
     * Outside tester: Deactivate stopped every agent of a client at one click, where Delete,
     * Pause and Stop ask first; and a page a user was not given, or that does not exist, said
     * only "Pick a page above".
     */
    @Test
    @Order(43)
    void deactivatingAsksFirstAndAMissingPageSaysWhy() throws Exception {
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
        browser.consoleErrors();
        browser.go("/#/organizations");
        var card = browser.find("li.org[data-org-id='" + orgB + "']");
        // Its budget's share is written as every percentage is, with two decimals (it read "12 %"
        // beside another card's "10.8 %").
        browser.waitUntil("Beta's figures", () -> !card.findElements(By.cssSelector("[data-figure=budget]")).isEmpty());
        assertThat(card.findElement(By.cssSelector("[data-figure=budget]")).getText())
                .matches("(?s).*\\d\\.\\d{2}[\\s\u00a0]%");
        card.findElement(By.xpath(".//button[normalize-space(.)='Deactivate']")).click();
        browser.findWithText("dialog[open]", "stops working");
        browser.screenshot("43-deactivate-asks");
        browser.find("dialog[open]").sendKeys(Keys.ESCAPE);
        browser.waitUntil("Escape closes the dialog", () -> browser.all("dialog[open]").isEmpty());
        assertThat(api.get("/api/organizations/" + orgB).as(owner).send().json().path("active").asBoolean())
                .as("a cancelled deactivation changes nothing").isTrue();
        card.findElement(By.xpath(".//button[normalize-space(.)='Deactivate']")).click();
        browser.findWithText("dialog[open]", "stops working");
        browser.acceptConfirmation();
        browser.waitUntil("the card offers Activate", () -> !browser.find("li.org[data-org-id='" + orgB + "']")
                .findElements(By.xpath(".//button[normalize-space(.)='Activate']")).isEmpty());
        assertThat(api.get("/api/organizations/" + orgB).as(owner).send().json().path("active").asBoolean()).isFalse();
        browser.find("li.org[data-org-id='" + orgB + "']")
                .findElement(By.xpath(".//button[normalize-space(.)='Activate']")).click();
        browser.waitUntil("activated without asking", () -> api.get("/api/organizations/" + orgB).as(owner).send()
                .json().path("active").asBoolean());
        assertThat(browser.all("dialog[open]")).isEmpty();

        switchTo(BOUND_EMAIL, "Bound User");
        browser.go("/#/users");
        browser.findWithText("main p.no-page", "not given the Users page");
        browser.go("/#/nowhere");
        browser.findWithText("main p.no-page", "no page “nowhere”");
        browser.screenshot("43-no-such-page");
        assertThat(browser.consoleErrors()).isEmpty();
        switchTo(Platform.OWNER_EMAIL, "Olive Owner");
    }

    /** The API's explorer opens for a signed-in user and draws the document without a refusal in the console. */
    @Test
    @Order(44)
    void theApiExplorerDrawsTheDocumentWithoutConsoleErrors() throws Exception {
        browser.consoleErrors();
        browser.go("/swagger-ui.html");
        browser.findWithText(".swagger-ui .info .title", "Tenantry API");
        browser.findWithText(".swagger-ui .opblock-tag", "Organizations");
        browser.screenshot("44-api-explorer");
        assertThat(browser.consoleErrors()).isEmpty();
        browser.go("/#/dashboard");
    }

    private String platformUserId(String token) {
        return api.get("/api/me").as(token).send().expect(200).id();
    }

    private long sidewaysOverflow() {
        return ((Number) browser.script("return document.documentElement.scrollWidth - window.innerWidth")).longValue();
    }

    private void audit(String who, String axe, List<String> more, List<String> found) {
        browser.go("/#/");
        browser.waitUntil(who + " sees the page links", () -> browser.all("nav[aria-label=Pages] a").size() > 1);
        List<String> pages = new ArrayList<>(browser.all("nav[aria-label=Pages] a").stream()
                .map(a -> a.getDomAttribute("href")).toList());
        pages.addAll(more);
        for (String page : pages) {
            browser.go("/" + page);
            browser.find("main h1");
            browser.waitUntil(page + " has loaded", () -> browser.all("main .loading").isEmpty());
            if (!Boolean.TRUE.equals(browser.script("return typeof window.axe === 'object'"))) {
                browser.script(axe);
            }
            Object result = browser.script("return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a',"
                    + " 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then(r => r.violations"
                    + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    + ".map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '"
                    + " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))");
            for (Object violation : (List<?>) result) {
                found.add(who + " on " + page + ": " + violation);
            }
        }
    }

    /** What each page link opens in the main area. */
    static final Map<String, String> PAGE_ELEMENTS = Map.ofEntries(Map.entry("#/dashboard", "home-page"),
            Map.entry("#/agents", "agents-page"), Map.entry("#/organizations", "organizations-page"),
            Map.entry("#/users", "users-page"), Map.entry("#/billing", "billing-overview"),
            Map.entry("#/settings", "settings-page"), Map.entry("#/audit", "audit-page"),
            Map.entry("#/guardrails", "guardrails-page"), Map.entry("#/interventions", "interventions-page"),
            Map.entry("#/knowledge", "knowledge-page"), Map.entry("#/vault", "vault-page"));

    private void walkEveryPageAfterEveryOther(String who) {
        browser.go("/#/");
        browser.waitUntil(who + " sees the page links", () -> browser.all("nav[aria-label=Pages] a").size() > 1);
        List<String> pages = browser.all("nav[aria-label=Pages] a").stream().map(a -> a.getDomAttribute("href"))
                .toList();
        browser.consoleErrors();
        for (String from : pages) {
            for (String to : pages) {
                if (!from.equals(to)) {
                    openAlone(who, from);
                    openAlone(who, to);
                }
            }
        }
    }

    private void openAlone(String who, String href) {
        browser.find("nav[aria-label=Pages] a[href='" + href + "']").click();
        browser.waitUntil(who + ": " + href + " is the current page",
                () -> href.equals(browser.script("return document.querySelector("
                        + "'nav[aria-label=Pages] a[aria-current=page]')?.getAttribute('href')")));
        String element = PAGE_ELEMENTS.get(href);
        assertThat(element).as("the element of %s", href).isNotNull();
        browser.waitUntil(who + ": " + href + " (" + element + ") is the only page on screen",
                () -> element.equals(browser.script("const main = document.querySelector('main');"
                        + "return main.children.length === 1 ? main.firstElementChild.localName : null")));
        assertThat(browser.consoleErrors()).as("%s: console errors on opening %s", who, href).isEmpty();
    }
}
