package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

import tools.jackson.databind.JsonNode;

/**
 * A client's user given Billing reads their bill (revenue, agents, tokens) and never what the
 * agency pays for it: token cost, margin, exchange rate, budgets and their alerts need the
 * costs permission as well. gpt-4o's seeded price is 2.50 USD per million input tokens.
 */
@TenantryTest
class CostsPermissionTest extends ServerTest {

    @Autowired
    BudgetWatch budgetWatch;

    String org;
    String agent;
    /** A user of the org with Home, Billing, Agents, Organizations and Audit, but not costs. */
    String billOnly;
    /** The same pages and costs. */
    String withCosts;

    @BeforeEach
    void aClientOverItsBudget() {
        org = platform.createOrg(Map.of("name", Platform.unique("Client"), "billingRatePerAgent", "100.00",
                "monthlyBudget", "1.00"));
        agent = platform.createAgent(org, "Billed agent");
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("monthlyBudget", "0.50")).send().expect(200);
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 2_000_000, 0, 0,
                Instant.now()), agent)).send().expect(201);
        budgetWatch.check(Instant.now());
        List<String> pages = List.of("dashboard", "billing", "agents", "organizations", "audit");
        billOnly = platform.createUser("user", org, pages);
        withCosts = platform.createUser("user", org, java.util.stream.Stream.concat(pages.stream(),
                java.util.stream.Stream.of("costs")).toList());
    }

    static String thisMonth() {
        return YearMonth.now(ZoneOffset.UTC).toString();
    }

    JsonNode statement(String token) {
        return api.get("/api/organizations/" + org + "/billing?month=" + thisMonth()).as(token).send().expect(200)
                .json();
    }

    @Test
    void theStatementWithoutCostsIsTheBillAlone() {
        JsonNode bill = statement(billOnly);
        JsonNode full = statement(withCosts);

        assertThat(bill.path("revenue").asString()).isEqualTo(full.path("revenue").asString()).isEqualTo("100.00");
        assertThat(bill.path("inputTokens").asLong()).isEqualTo(2_000_000);
        for (String hidden : List.of("cost", "costUsd", "fxRate", "margin", "monthlyBudget", "budgetUsed")) {
            assertThat(bill.path(hidden).isNull()).as(hidden).isTrue();
        }
        assertThat(bill.path("budgetAlerts")).isEmpty();
        assertThat(bill.path("lines")).singleElement().satisfies(line -> {
            assertThat(line.path("costUsd").isNull()).isTrue();
            assertThat(line.path("cost").isNull()).isTrue();
            assertThat(line.path("costByModel").isNull()).isTrue();
            assertThat(line.path("revenue").isNull()).isFalse();
        });
        // The full statement, for comparison: the same bill, with what it cost.
        assertThat(new java.math.BigDecimal(full.path("costUsd").asString())).isEqualByComparingTo("5");
        assertThat(full.path("cost").asString()).isEqualTo("5.00");
        assertThat(full.path("margin").asString()).isEqualTo("95.00");
        assertThat(full.path("budgetUsed").asString()).isEqualTo("500.00");
        assertThat(full.path("budgetAlerts")).isNotEmpty();
    }

    @Test
    void onlyTheWarningsAboutRevenueReachAUserWithoutCosts() {
        String unrated = platform.createOrg(Map.of("name", Platform.unique("Unrated client"),
                "billingRatePerAgent", "0"));
        String itsAgent = platform.createAgent(unrated, "Unrated agent");
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("no-such-priced-model", 1_000, 0,
                0, Instant.now()), itsAgent)).send().expect(201);
        String reader = platform.createUser("user", unrated, List.of("billing"));

        List<String> all = api.get("/api/organizations/" + unrated + "/billing").as(owner).send().expect(200).json()
                .path("warnings").valueStream().map(JsonNode::asString).toList();
        List<String> read = api.get("/api/organizations/" + unrated + "/billing").as(reader).send().expect(200).json()
                .path("warnings").valueStream().map(JsonNode::asString).toList();

        assertThat(all).anySatisfy(w -> assertThat(w).contains("have no model price"))
                .anySatisfy(w -> assertThat(w).contains("1 agent is billed at a rate of 0"));
        assertThat(read).containsExactlyElementsOf(all.stream().filter(w -> w.contains("billed at a rate of 0"))
                .toList()).hasSize(1);
    }

    @Test
    void theSummaryTheCardsAndTheCsvLeaveTheCostsOut() {
        JsonNode summary = api.get("/api/organizations/" + org + "/billing-summary").as(billOnly).send().expect(200)
                .json().path("items").get(0);
        JsonNode card = api.get("/api/billing/month-to-date?orgIds=" + org).as(billOnly).send().expect(200).json()
                .path("items").get(0);
        for (JsonNode seen : List.of(summary, card)) {
            assertThat(seen.path("revenue").asString()).isEqualTo("100.00");
            assertThat(seen.path("costUsd").isNull()).isTrue();
            assertThat(seen.path("margin").isNull()).isTrue();
            assertThat(seen.path("budgetUsed").isNull()).isTrue();
            assertThat(seen.path("budgetAlerts")).isEmpty();
        }

        String csv = api.get("/api/organizations/" + org + "/billing/" + thisMonth() + ".csv").as(billOnly).send()
                .expect(200).body();
        assertThat(csv.lines().findFirst().orElseThrow()).doesNotContain("cost").endsWith(",repriced_tokens");
        assertThat(csv).contains("100.00").doesNotContain("5.00");
        assertThat(csv.lines()).allSatisfy(row -> assertThat(row.split(",", -1)).hasSize(15));
        String full = api.get("/api/organizations/" + org + "/billing/" + thisMonth() + ".csv").as(withCosts).send()
                .expect(200).body();
        assertThat(full.lines().findFirst().orElseThrow()).endsWith(",cost_usd,cost");
        assertThat(full).contains("5.00");
    }

    @Test
    void budgetAlertsNeedCosts() {
        Api.Response refused = api.get("/api/organizations/" + org + "/budget-alerts").as(billOnly).send()
                .expect(403);
        assertThat(refused.text("detail")).contains("costs");
        assertThat(api.get("/api/organizations/" + org + "/budget-alerts").as(withCosts).send().expect(200).items())
                .isNotEmpty();
    }

    @Test
    void theOrganizationAndItsAgentsShowRatesButNoBudget() {
        JsonNode seen = api.get("/api/organizations/" + org).as(billOnly).send().expect(200).json();
        assertThat(seen.path("billingRatePerAgent").asString()).isEqualTo("100.00");
        assertThat(seen.path("monthlyBudget").isNull()).isTrue();
        assertThat(seen.path("budgetAlertThresholds")).as("where a budget would be alerted").isEmpty();
        JsonNode agentSeen = api.get("/api/agents/" + agent).as(billOnly).send().expect(200).json();
        assertThat(agentSeen.path("effectiveBillingRate").asString()).isEqualTo("100.00");
        assertThat(agentSeen.path("monthlyBudget").isNull()).isTrue();
        assertThat(api.get("/api/agents?limit=500").as(billOnly).send().expect(200).items())
                .allSatisfy(a -> assertThat(a.path("monthlyBudget").isNull()).isTrue());

        JsonNode full = api.get("/api/organizations/" + org).as(withCosts).send().expect(200).json();
        assertThat(full.path("monthlyBudget").asString()).isEqualTo("1.00");
        assertThat(full.path("budgetAlertThresholds")).isNotEmpty();
        assertThat(api.get("/api/agents/" + agent).as(withCosts).send().expect(200).json().path("monthlyBudget")
                .asString()).isEqualTo("0.50");
    }

    @Test
    void homeGivesRevenueAloneWithoutCosts() {
        JsonNode home = api.get("/api/dashboard").as(billOnly).send().expect(200).json();
        assertThat(home.path("figures").asBoolean()).isTrue();
        assertThat(home.path("costs").asBoolean()).isFalse();
        assertThat(home.path("currencies")).singleElement().satisfies(c -> {
            assertThat(c.path("revenue").asString()).isEqualTo("100.00");
            assertThat(c.path("cost").isNull()).isTrue();
            assertThat(c.path("costUsd").isNull()).isTrue();
            assertThat(c.path("margin").isNull()).isTrue();
            assertThat(c.path("previousCostUsd").isNull()).isTrue();
        });
        assertThat(home.path("trend")).isNotEmpty()
                .allSatisfy(t -> assertThat(t.path("costUsd").isNull()).isTrue());
        for (String list : List.of("budgets", "topByCost", "topByMargin", "unpriced", "missingRates",
                "recentAlerts")) {
            assertThat(home.path(list)).as(list).isEmpty();
        }

        JsonNode full = api.get("/api/dashboard").as(withCosts).send().expect(200).json();
        assertThat(full.path("costs").asBoolean()).isTrue();
        assertThat(full.path("currencies").get(0).path("cost").asString()).isEqualTo("5.00");
        assertThat(full.path("budgets")).isNotEmpty();
        assertThat(full.path("recentAlerts")).isNotEmpty();
    }

    /**
     * A budget crossed is the costs' news: its events are not shown without them, even asked
     * for by name, and the amounts and thresholds in other events read as null.
     */
    @Test
    void theAuditLogKeepsBudgetsToThoseWhoSeeCosts() {
        for (String action : List.of("", "&action=billing.budget_alert", "&action=billing.agent_budget_alert")) {
            assertThat(api.get("/api/audit?limit=500" + action).as(billOnly).send().expect(200).items())
                    .as(action).noneSatisfy(e -> assertThat(e.path("action").asString()).endsWith("budget_alert"));
        }
        List<JsonNode> seen = api.get("/api/audit?limit=500").as(billOnly).send().expect(200).items();
        assertThat(seen).filteredOn(e -> e.path("action").asString().equals("agent.updated")).isNotEmpty()
                .allSatisfy(e -> {
                    assertThat(e.path("after").path("monthlyBudget").isNull()).isTrue();
                    assertThat(e.path("after").has("billingRateOverride")).isTrue();
                });
        assertThat(seen).filteredOn(e -> e.path("action").asString().equals("organization.created")).singleElement()
                .satisfies(e -> {
                    assertThat(e.path("after").path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("100");
                    assertThat(e.path("after").path("monthlyBudget").isNull()).isTrue();
                    assertThat(e.path("after").path("budgetAlertThresholds").isNull()).isTrue();
                });

        List<JsonNode> full = api.get("/api/audit?limit=500").as(withCosts).send().expect(200).items();
        assertThat(full).filteredOn(e -> e.path("action").asString().equals("billing.budget_alert"))
                .isNotEmpty().extracting(e -> e.path("after").path("cost").asString()).containsOnly("5.00");
        assertThat(full).filteredOn(e -> e.path("action").asString().equals("billing.agent_budget_alert"))
                .isNotEmpty();
    }

    @Test
    void costsComeWithBillingOrNotAtAll() {
        String user = platform.userId(billOnly);
        Api.Response refused = api.patch("/api/users/" + user).as(owner).json(Map.of("pages", List.of("dashboard",
                "costs"))).send().expect(400);
        assertThat(refused.text("field")).isEqualTo("pages");
        assertThat(refused.text("detail")).contains("give billing too");
        assertThat(api.get("/api/users/" + user).as(owner).send().expect(200).json().path("pages").toString())
                .as("nothing changed").contains("billing").doesNotContain("costs");
        api.post("/api/users").as(owner).json(Map.of("email", Platform.unique("costs").replace(' ', '-')
                + "@tenantry.test", "name", "Costs alone", "password", Platform.PASSWORD, "role", "user",
                "clientOrgId", org, "pages", List.of("costs"))).send().expect(400);

        api.patch("/api/users/" + user).as(owner).json(Map.of("pages", List.of("dashboard", "billing", "costs")))
                .send().expect(200);
        assertThat(statement(billOnly).path("costUsd").isNull()).as("at the next request").isFalse();
    }
}
