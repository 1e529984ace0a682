package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.billing.BillingCalendar;
import io.tenantry.jobs.ClusterJobs;
import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.ScopedTransactions;

import tools.jackson.databind.JsonNode;

/**
 * Closing months, on a database of its own (closed months are platform-wide). The tests
 * build on each other in order: last month is closed, late usage and late pricing land in
 * this month as adjustments, and finally this month is closed automatically.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=month-closing")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonthClosingTest extends ServerTest {

    @Autowired
    MonthClosing closing;

    @Autowired
    BillingCalendar calendar;

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    ClusterJobs jobs;

    final YearMonth thisMonth = YearMonth.now(ZoneOffset.UTC);
    final YearMonth lastMonth = thisMonth.minusMonths(1);
    final String lateModel = "late-" + UUID.randomUUID().toString().substring(0, 6);
    String org;
    String agent;
    JsonNode frozen;
    /** The only client billed in GBP last month; it bills in EUR from this month on. */
    String sterling;

    Instant inLastMonth(int day) {
        return lastMonth.atDay(day).atTime(10, 0).toInstant(ZoneOffset.UTC);
    }

    void report(String model, long input, long output, Instant at) {
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event(model, input, output, 0,
                at), agent)).send().expect(201);
    }

    JsonNode month(YearMonth month) {
        return api.get("/api/organizations/" + org + "/billing?month=" + month).as(owner).send().expect(200).json();
    }

    /** An org whose agent left for another org, and was renamed there, after last month's usage. */
    record Left(String org, String agent, String user, String nameElsewhere) {
    }

    /**
     * Org "left" spent 10.004 USD of its 10.00 budget last month through an agent that then moved
     * to another org, which renamed it: a name the first org's users may not see.
     */
    Left agentThatLeft() {
        String from = platform.createOrg(Map.of("name", "Left " + UUID.randomUUID(), "monthlyBudget", "10.00"));
        String to = platform.createOrg("Joined " + UUID.randomUUID());
        String leaver = platform.createAgent(from, "Leaver");
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 4_001_600, 0, 0,
                inLastMonth(12)), leaver)).send().expect(201);
        api.post("/api/agents/" + leaver + "/assign-org").as(owner).json(Map.of("orgId", to)).send().expect(200);
        String secret = "Project Falcon " + UUID.randomUUID();
        api.patch("/api/agents/" + leaver).as(owner).json(Map.of("name", secret)).send().expect(200);
        return new Left(from, leaver, platform.createUser("user", from, List.of("billing", "costs")), secret);
    }

    /** What {@code left}'s user sees of its statement for last month, JSON and CSV, checked for the name. */
    JsonNode seenBy(Left left) {
        JsonNode statement = api.get("/api/organizations/" + left.org() + "/billing?month=" + lastMonth)
                .as(left.user()).send().expect(200).json();
        String csv = api.get("/api/organizations/" + left.org() + "/billing/" + lastMonth + ".csv").as(left.user())
                .header("Accept", "text/csv").send().expect(200).body();
        assertThat(statement.toString() + csv).contains(left.agent().substring(0, 8))
                .doesNotContain(left.nameElsewhere());
        return statement;
    }

    @Test
    @Order(1)
    void closingFreezesLastMonthForEveryOrg() {
        org = platform.createOrg(Map.of("name", "Closing " + UUID.randomUUID(), "billingRatePerAgent", "80.00",
                "monthlyBudget", "2.00"));
        agent = platform.createAgent(org, "Early");
        // Reported for last month, before the agent existed: it belongs to the org it was created in.
        report("gpt-4o", 1_000_000, 0, inLastMonth(10));
        report(lateModel, 1_000, 1_000, inLastMonth(11));
        assertThat(month(lastMonth).path("closed").asBoolean()).isFalse();
        sterling = platform.createOrg(Map.of("name", "Sterling " + UUID.randomUUID(), "currency", "GBP"));
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1_000_000, 0, 0,
                inLastMonth(14)), platform.createAgent(sterling, "Sterling bot"))).send().expect(201);
        Left left = agentThatLeft();
        JsonNode open = seenBy(left);
        assertThat(open.path("budgetUsed").decimalValue()).isEqualByComparingTo("100.04");

        JsonNode result = api.post("/api/billing/close").as(owner).json(Map.of("month", lastMonth.toString())).send()
                .expect(200).json();

        assertThat(result.path("closedMonths").toString()).contains(lastMonth.toString());
        frozen = month(lastMonth);
        assertThat(frozen.path("closed").asBoolean()).isTrue();
        // Closed, the statement is what the org's user saw open: the leaver by its id, the budget passed.
        JsonNode closed = seenBy(left);
        assertThat(closed.path("closed").asBoolean()).isTrue();
        assertThat(closed.path("budgetUsed").decimalValue()).isEqualByComparingTo("100.04");
        assertThat(closed.path("cost").asString()).isEqualTo(open.path("cost").asString()).isEqualTo("10.00");
        assertThat(closed.path("lines").get(0).path("agentName").asString())
                .isEqualTo(open.path("lines").get(0).path("agentName").asString());
        assertThat(frozen.path("cost").asString()).isEqualTo("2.50");
        assertThat(frozen.path("unpricedTokens").asLong()).isEqualTo(2_000);
        assertThat(frozen.path("lines").get(0).path("agentId").asString()).isEqualTo(agent);
        JsonNode overview = api.get("/api/billing/overview?month=" + lastMonth).as(owner).send().expect(200).json();
        assertThat(overview.path("closed").asBoolean()).isTrue();
        assertThat(overview.path("items").toString()).contains(org);
        // Renamed afterwards, the org keeps its name on the month closed, as its agents do.
        String closedAs = frozen.path("orgName").asString();
        String renamed = "Renamed " + UUID.randomUUID();
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("name", renamed)).send().expect(200);
        assertThat(month(lastMonth).path("orgName").asString()).isEqualTo(closedAs);
        assertThat(api.get("/api/organizations/" + org + "/billing/" + lastMonth + ".csv").as(owner).send().expect(200)
                .body()).contains(closedAs).doesNotContain(renamed);
        assertThat(month(lastMonth.plusMonths(1)).path("orgName").asString()).as("an open month shows it as it is")
                .isEqualTo(renamed);
        assertThat(api.get("/api/audit?action=billing.month_closed").as(owner).org(org).send().expect(200).items())
                .hasSize(1);
        // 2.50 of a 2.00 budget: the close records the month's alerts, whether or not the watch saw them.
        assertThat(api.get("/api/organizations/" + org + "/budget-alerts?month=" + lastMonth).as(owner).send()
                .expect(200).items()).extracting(a -> a.path("threshold").asInt()).containsExactly(50, 80, 100);
        assertThat(api.get("/api/audit?action=billing.budget_alert").as(owner).org(org).send().expect(200).items())
                .extracting(a -> a.path("actorLabel").asString()).containsOnly(Platform.OWNER_EMAIL);
    }

    @Test
    @Order(2)
    void aClosedMonthCannotBeClosedAgainNorCanOneThatHasNotEnded() {
        assertThat(api.post("/api/billing/close").as(owner).json(Map.of("month", lastMonth.toString())).send()
                .expect(409).text("detail")).contains("closed already");
        assertThat(api.post("/api/billing/close").as(owner).json(Map.of("month", thisMonth.toString())).send()
                .expect(409).text("detail")).contains("has not ended");
        api.post("/api/billing/close").as(owner).json(Map.of("month", "2026-13")).send().expect(400);
        api.post("/api/billing/close").as(owner).json(Map.of()).send().expect(400);
        api.post("/api/billing/close").as(owner).raw("{").send().expect(400);
        String billingUser = platform.createUser("user", null, List.of("billing"));
        api.post("/api/billing/close").as(billingUser).json(Map.of("month", lastMonth.toString())).send()
                .expect(403);
    }

    /**
     * The home page compares this month with the last per currency: a currency billed last
     * month and by no client this month (its only client bills in another one now) still
     * shows, at 0 against last month's figures, rather than vanishing with them.
     */
    @Test
    @Order(2)
    void aCurrencyBilledLastMonthOnlyStillShowsAgainstThisMonth() {
        api.patch("/api/organizations/" + sterling).as(owner).json(Map.of("currency", "EUR", "billingRatePerAgent",
                "10.00")).send().expect(200);

        Map<String, JsonNode> currencies = DashboardSummaryTest.byKey(api.get("/api/dashboard").as(owner).send()
                .expect(200).json().path("currencies"), "currency");

        JsonNode pound = currencies.get("GBP");
        assertThat(pound).as("GBP, billed last month: " + currencies.keySet()).isNotNull();
        assertThat(pound.path("orgs").asInt()).isZero();
        assertThat(pound.path("revenue").asString()).isEqualTo("0.00");
        assertThat(pound.path("previousCostUsd").decimalValue()).isEqualByComparingTo("2.50");
        assertThat(currencies.get("EUR").path("orgs").asInt()).isEqualTo(1);
    }

    /**
     * A rate set from a closed month on was listed against the frozen statements, changed
     * nothing there, and became the rate of the open months after it.
     */
    @Test
    @Order(2)
    void anExchangeRateFromAClosedMonthOnIsRefusedAndChangesNothing() {
        String table = api.get("/api/settings/fx-rates").as(owner).send().expect(200).body();
        for (String month : List.of(lastMonth.toString(), "2020-01")) {
            Api.Response refused = api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "CAD", "rate",
                    "1.37", "effectiveFrom", month)).send();
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.text("field")).isEqualTo("effectiveFrom");
            assertThat(refused.text("detail")).contains("closed", "from " + thisMonth + " on");
        }
        assertThat(api.get("/api/settings/fx-rates").as(owner).send().expect(200).body()).isEqualTo(table);
    }

    @Test
    @Order(3)
    void lateUsageOfAClosedMonthIsAnAdjustmentInTheFirstOpenMonth() {
        report("gpt-4o", 0, 1_000_000, inLastMonth(20));

        assertThat(month(lastMonth)).isEqualTo(frozen);
        JsonNode now = month(thisMonth);
        JsonNode adjustment = adjustment(now, "gpt-4o");
        assertThat(adjustment.path("usageMonth").asString()).isEqualTo(lastMonth.toString());
        assertThat(adjustment.path("cost").asString()).isEqualTo("10.00");
        assertThat(adjustment.path("revenue").asString()).isEqualTo("0.00");
        assertThat(now.path("cost").asString()).isEqualTo("10.00");
        assertThat(now.path("revenue").asString()).isEqualTo("80.00");
    }

    @Test
    @Order(4)
    void pricingUsageOfAClosedMonthLaterIsAnAdjustmentThatNamesTheTokensItPrices() {
        // Late usage of the closed month, still unpriced: it is usage of this month's adjustment.
        report(lateModel, 2_000, 0, inLastMonth(21));
        api.post("/api/settings/models").as(owner).json(Map.of("model", lateModel, "provider", "Late",
                "inputPricePerMillion", 3, "outputPricePerMillion", 7)).send().expect(201);
        JsonNode rerate = api.post("/api/billing/rerate").as(owner).json(Map.of("model", lateModel, "from",
                lastMonth.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString(), "to",
                Instant.now().toString())).send().expect(200).json();

        assertThat(rerate.path("priced").asInt()).isEqualTo(2);
        assertThat(month(lastMonth)).isEqualTo(frozen);
        JsonNode now = month(thisMonth);
        JsonNode line = adjustment(now, lateModel);
        JsonNode priced = null;
        for (JsonNode model : line.path("costByModel")) {
            if (model.path("model").asString().equals(lateModel)) {
                priced = model;
            }
        }
        // The late event priced in place (2,000 x 3) and the closed month's (1,000 x 3 + 1,000 x 7),
        // whose tokens were counted there as unpriced: named here as repriced, not as usage again.
        assertThat(priced.path("costUsd").decimalValue()).isEqualByComparingTo("0.016");
        assertThat(priced.path("inputTokens").asLong()).isEqualTo(2_000);
        assertThat(priced.path("outputTokens").asLong()).isZero();
        assertThat(priced.path("unpricedTokens").asLong()).isZero();
        assertThat(priced.path("repricedTokens").asLong()).isEqualTo(2_000);
        assertThat(line.path("repricedTokens").asLong()).isEqualTo(2_000);
        assertThat(now.path("repricedTokens").asLong()).isEqualTo(2_000);
        assertThat(now.path("unpricedTokens").asLong()).isZero();
        assertThat(now.path("cost").asString()).isEqualTo("10.02");
        String csv = api.get("/api/organizations/" + org + "/billing/" + thisMonth + ".csv").as(owner)
                .header("Accept", "text/csv").send().expect(200).body();
        assertThat(csv.lines().findFirst().orElseThrow()).contains("unpriced_tokens,repriced_tokens,cost_usd");
        assertThat(csv.lines().filter(row -> row.contains(",total,"))).singleElement().asString()
                .contains(",0,2000,10.016");
    }

    @Test
    @Order(5)
    void theMonthIsClosedAutomaticallyOnlyOnceItsGracePeriodIsOver() {
        MonthEndClosing automatic = new MonthEndClosing(closing, calendar, transactions, 3, jobs, Duration.ofHours(1));
        Instant nextMonth = thisMonth.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);

        JsonNode open = month(thisMonth);
        automatic.closeDue(nextMonth.plus(Duration.ofDays(2)));
        assertThat(latestClosed()).isEqualTo(lastMonth);
        automatic.closeDue(nextMonth.plus(Duration.ofDays(3)).plusSeconds(60));
        assertThat(latestClosed()).isEqualTo(thisMonth);
        // Frozen as it was shown open, the adjustments' repriced tokens included.
        JsonNode closed = month(thisMonth);
        assertThat(closed.path("closed").asBoolean()).isTrue();
        assertThat(closed.path("repricedTokens").asLong()).isEqualTo(2_000);
        assertThat(closed.path("lines")).isEqualTo(open.path("lines"));
        automatic.closeDue(nextMonth.plus(Duration.ofDays(4)));
        assertThat(latestClosed()).isEqualTo(thisMonth);
    }

    YearMonth latestClosed() {
        return transactions.read(io.tenantry.tenancy.OrgScope.allOrgs(), () -> calendar.closedThrough().orElseThrow());
    }

    static JsonNode adjustment(JsonNode statement, String model) {
        for (JsonNode line : statement.path("lines")) {
            if (line.path("kind").asString().equals("adjustment")
                    && line.path("costByModel").toString().contains("\"" + model + "\"")) {
                return line;
            }
        }
        throw new AssertionError("no adjustment for " + model + " in " + statement);
    }
}
