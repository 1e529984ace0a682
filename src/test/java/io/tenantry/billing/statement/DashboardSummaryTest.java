package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.DefaultOrg;

import tools.jackson.databind.JsonNode;

/**
 * The home page's summary, on a database of its own so its totals are this class's: three
 * clients in USD, EUR and NGN (no NGN rate), one over budget, one model without a price,
 * and the operator's own org with usage that must not count as a client's. gpt-4o costs
 * 2.50 in / 10.00 out USD per million tokens.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=dashboard-summary")
class DashboardSummaryTest extends ServerTest {

    @Autowired
    BudgetWatch budgetWatch;

    String acme;
    String euro;
    String naira;
    String euroBot;

    @BeforeAll
    void business() {
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "EUR", "rate", "0.9",
                "effectiveFrom", month)).send().expect(200);
        acme = platform.createOrg(Map.of("name", "Acme", "billingRatePerAgent", "100.00", "monthlyBudget", "10.00",
                "budgetAlertThresholds", List.of(50, 100)));
        euro = platform.createOrg(Map.of("name", "Euro GmbH", "currency", "EUR", "billingRatePerAgent", "80.00"));
        naira = platform.createOrg(Map.of("name", "Naira Ltd", "currency", "NGN", "billingRatePerAgent", "50000.00"));
        report(platform.createAgent(acme, "Acme bot"), "gpt-4o", 1_000_000, 1_000_000);
        String acmeHelper = platform.createAgent(acme, "Acme helper");
        api.post("/api/agents/" + acmeHelper + "/unassign-org").as(owner).send().expect(200);
        report(platform.createAgent(acme, "Acme writer"), "mistral-large", 500, 0);
        euroBot = platform.createAgent(euro, "Euro bot");
        // 2.25 EUR of its own 2.00 budget: each of its org's default thresholds.
        api.patch("/api/agents/" + euroBot).as(owner).json(Map.of("monthlyBudget", "2.00")).send().expect(200);
        report(euroBot, "gpt-4o", 1_000_000, 0);
        report(platform.createAgent(naira, "Naira bot"), "gpt-4o", 1_000_000, 0);
        report(platform.createAgent(DefaultOrg.ID.toString(), "Own bot"), "gpt-4o", 1_000_000, 0);
        budgetWatch.check(Instant.now());
    }

    void report(String agentId, String model, long input, long output) {
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event(model, input, output, 0,
                Instant.now()), agentId)).send().expect(201);
    }

    JsonNode summary(String token) {
        return api.get("/api/dashboard").as(token).send().expect(200).json();
    }

    static Map<String, JsonNode> byKey(JsonNode list, String key) {
        Map<String, JsonNode> map = new HashMap<>();
        list.forEach(item -> map.put(item.path(key).asString(), item));
        return map;
    }

    static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(item -> names.add(item.path("orgName").asString()));
        return names;
    }

    @Test
    void theMonthPerCurrencyCountsClientsOnlyAndComparesWithLastMonth() {
        JsonNode summary = summary(owner);
        assertThat(summary.path("month").asString()).isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
        assertThat(summary.path("clientOrgs").asInt()).isEqualTo(3);
        Map<String, JsonNode> currencies = byKey(summary.path("currencies"), "currency");
        assertThat(currencies).containsOnlyKeys("USD", "EUR", "NGN");
        // Acme holds two agents at 100.00; its cost is 2.50 + 10.00 (the unpriced model adds nothing).
        assertThat(currencies.get("USD").path("revenue").asString()).isEqualTo("200.00");
        assertThat(currencies.get("USD").path("cost").asString()).isEqualTo("12.50");
        assertThat(currencies.get("USD").path("margin").asString()).isEqualTo("93.75");
        assertThat(currencies.get("USD").path("previousRevenue").asString()).isEqualTo("0.00");
        assertThat(currencies.get("EUR").path("cost").asString()).isEqualTo("2.25");
        // No NGN rate: the cost is known in USD only, and no margin is made up.
        assertThat(currencies.get("NGN").path("cost").isNull()).isTrue();
        assertThat(currencies.get("NGN").path("costUsd").decimalValue()).isEqualByComparingTo("2.50");
        assertThat(currencies.get("NGN").path("margin").isNull()).isTrue();
        // Browser tester: last month's cost showed as "0.00 NGN" beside this month's in USD. It is
        // given in USD too, to compare a cost shown in USD with.
        assertThat(currencies.get("NGN").path("previousCostUsd").asString()).isEqualTo("0.00");
        assertThat(currencies.get("USD").path("previousCostUsd").asString()).isEqualTo("0.00");

        JsonNode own = summary.path("own");
        assertThat(own.path("orgId").asString()).isEqualTo(DefaultOrg.ID.toString());
        assertThat(own.path("costUsd").decimalValue()).isEqualByComparingTo("2.50");

        List<JsonNode> thisMonth = new ArrayList<>();
        summary.path("trend").forEach(t -> {
            if (t.path("month").asString().equals(summary.path("month").asString())) {
                thisMonth.add(t);
            }
        });
        assertThat(byKey(summary.path("trend"), "month")).hasSizeLessThanOrEqualTo(AtAGlance.MONTHS);
        assertThat(thisMonth).extracting(t -> t.path("currency").asString() + " " + t.path("revenue").asString())
                .containsExactlyInAnyOrder("USD 200.00", "EUR 80.00", "NGN 50000.00");
    }

    @Test
    void whatNeedsAttentionIsListed() {
        JsonNode summary = summary(owner);
        assertThat(names(summary.path("budgets"))).containsExactly("Acme");
        JsonNode acmeBudget = summary.path("budgets").get(0);
        assertThat(acmeBudget.path("used").asString()).isEqualTo("125.00");
        assertThat(acmeBudget.path("over").asBoolean()).isTrue();

        JsonNode unpriced = summary.path("unpriced");
        assertThat(unpriced).hasSize(1);
        assertThat(unpriced.get(0).path("model").asString()).isEqualTo("mistral-large");
        assertThat(unpriced.get(0).path("tokens").asLong()).isEqualTo(500);
        assertThat(unpriced.get(0).path("orgs").asInt()).isEqualTo(1);

        assertThat(summary.path("missingRates")).hasSize(1);
        assertThat(summary.path("missingRates").get(0).path("currency").asString()).isEqualTo("NGN");
        assertThat(summary.path("missingRates").get(0).path("month").asString())
                .isEqualTo(summary.path("month").asString());

        assertThat(summary.path("recentAlerts")).hasSize(5);
        List<String> alerts = new ArrayList<>();
        summary.path("recentAlerts").forEach(a -> alerts.add(a.path("orgName").asString() + " "
                + (a.path("agentId").isNull() ? "org" : a.path("agentId").asString().equals(euroBot)
                        && a.path("agentName").asString().startsWith("Euro bot") ? "Euro bot" : "?")
                + " " + a.path("threshold").asInt() + " " + a.path("cost").asString() + " "
                + a.path("currency").asString()));
        assertThat(alerts).containsExactlyInAnyOrder("Acme org 50 12.50 USD", "Acme org 100 12.50 USD",
                "Euro GmbH Euro bot 50 2.25 EUR", "Euro GmbH Euro bot 80 2.25 EUR", "Euro GmbH Euro bot 100 2.25 EUR");
    }

    @Test
    void theTopClientsAreRankedByCostAndByMargin() {
        JsonNode summary = summary(owner);
        assertThat(names(summary.path("topByCost"))).containsExactly("Acme", "Euro GmbH", "Naira Ltd");
        // Euro: (80.00 - 2.25) / 80.00 = 97.19 %; Acme 93.75 %; Naira has no margin without a rate.
        assertThat(names(summary.path("topByMargin"))).containsExactly("Euro GmbH", "Acme");
    }

    @Test
    void aBoundUserSeesTheirOrganizationOnly() {
        String bound = platform.createUser("user", euro, List.of("dashboard", "billing", "costs"));
        JsonNode summary = summary(bound);
        assertThat(summary.path("figures").asBoolean()).isTrue();
        assertThat(summary.path("clientOrgs").asInt()).isEqualTo(1);
        assertThat(byKey(summary.path("currencies"), "currency")).containsOnlyKeys("EUR");
        assertThat(summary.path("own").isNull()).isTrue();
        assertThat(summary.path("budgets")).isEmpty();
        assertThat(summary.path("unpriced")).isEmpty();
        assertThat(summary.path("missingRates")).isEmpty();
        assertThat(names(summary.path("topByCost"))).containsExactly("Euro GmbH");
        assertThat(summary.toString()).doesNotContain(acme).doesNotContain(naira).doesNotContain("Acme");
    }

    @Test
    void theOrganizationCardsGetThisMonthSoFarInTheOrderNamed() {
        JsonNode items = api.get("/api/billing/month-to-date?orgIds=" + euro + "," + acme).as(owner).send()
                .expect(200).json().path("items");
        assertThat(names(items)).containsExactly("Euro GmbH", "Acme");
        assertThat(items.get(1).path("budgetUsed").asString()).isEqualTo("125.00");
        assertThat(items.get(1).path("budgetAlerts").toString()).isEqualTo("[50,100]");
        assertThat(items.get(1).has("lines")).as("no per-agent lines").isFalse();

        String bound = platform.createUser("user", euro, List.of("billing"));
        api.get("/api/billing/month-to-date?orgIds=" + euro).as(bound).send().expect(200);
        // Another org's id, or one that does not exist, is not found, and nothing of it is told.
        assertThat(api.get("/api/billing/month-to-date?orgIds=" + euro + "," + acme).as(bound).send().expect(404)
                .body()).doesNotContain("Acme");
        api.get("/api/billing/month-to-date?orgIds=" + java.util.UUID.randomUUID()).as(owner).send().expect(404);
    }

    @Test
    void badOrganizationListsAreRefusedInWords() {
        String tooMany = String.join(",", java.util.Collections.nCopies(101, acme));
        // A full-width digit, or a sign, is not an id even where Java's UUID parser would read one.
        String fullWidth = "\uff15" + acme.substring(1);
        for (String bad : List.of("", "nope", acme + ",", acme + ";" + euro, tooMany, "x".repeat(5_000), fullWidth,
                "+" + acme.substring(1), "\u0001" + acme, "\t" + acme, acme + "\n")) {
            Api.Response response = api.get("/api/billing/month-to-date?orgIds="
                    + java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8)).as(owner).send();
            assertThat(response.status()).as(bad.length() > 60 ? bad.substring(0, 60) : bad).isEqualTo(400);
            assertThat(response.json().path("field").asString()).isEqualTo("orgIds");
        }
        api.get("/api/billing/month-to-date?orgIds=" + euro + ",%20" + acme + "%20").as(owner).send().expect(200);
    }

    @Test
    void aUserWithoutTheBillingPageGetsNoFigures() {
        assertThat(summary(owner).path("figures").asBoolean()).isTrue();
        for (String withoutBilling : List.of(platform.createUser("user", euro, List.of("dashboard", "agents")),
                platform.createUser("user", null, List.of("dashboard", "organizations", "audit")))) {
            JsonNode summary = summary(withoutBilling);
            assertThat(summary.path("figures").asBoolean()).isFalse();
            assertThat(summary.path("month").asString()).isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
            assertThat(summary.path("clientOrgs").asInt()).isZero();
            assertThat(summary.path("own").isNull()).isTrue();
            for (String list : List.of("currencies", "trend", "budgets", "topByCost", "topByMargin", "unpriced",
                    "missingRates", "recentAlerts")) {
                assertThat(summary.path(list).isArray()).as(list).isTrue();
                assertThat(summary.path(list)).as(list).isEmpty();
            }
            assertThat(summary.toString()).doesNotContain("Euro GmbH").doesNotContain("gpt-4o");
        }
    }

    @Test
    void theSummaryNeedsTheDashboardPage() {
        String withoutIt = platform.createUser("user", null, List.of("billing"));
        api.get("/api/dashboard").as(withoutIt).send().expect(403);
    }
}
