package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.tenantry.billing.BillingMonth;
import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.DefaultOrg;

import tools.jackson.databind.JsonNode;

/**
 * Statements through the API: revenue from who holds which agent at what rate, cost from
 * the usage stamped with the org, margin, currency conversion, budgets, CSV and the overview.
 * gpt-4o's seeded price is 2.50 in / 10.00 out / 1.25 cached USD per million tokens.
 */
@TenantryTest
class StatementApiTest extends ServerTest {

    @Autowired
    BudgetWatch budgetWatch;

    static YearMonth thisMonth() {
        return YearMonth.now(ZoneOffset.UTC);
    }

    static Instant inMonth(YearMonth month, int day) {
        return month.atDay(day).atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    String org(Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("name", io.tenantry.support.Platform.unique("Billed"),
                "billingRatePerAgent", "100.00"));
        body.putAll(extra);
        return platform.createOrg(body);
    }

    void report(String agentId, String model, long input, long output, long cached, Instant at) {
        api.post("/api/usage").as(owner).json(Map.of("events", List.of(UsageEvents.withAgent(UsageEvents.event(model, input,
                output, cached, at), agentId)))).send().expect(201);
    }

    JsonNode month(String orgId, YearMonth month) {
        return api.get("/api/organizations/" + orgId + "/billing?month=" + month).as(owner).send().expect(200).json();
    }

    /**
     * The guide's troubleshooting: "Billing shows $0 revenue: check that the org has a billing
     * rate set". An org created without one billed its agents at 0 and said nothing.
     */
    @Test
    void agentsBilledAtARateOfZeroAreAWarningUntilARateIsSet() {
        String org = org(Map.of("billingRatePerAgent", "0"));
        platform.createAgent(org, "Unrated one");
        String second = platform.createAgent(org, "Unrated two");

        JsonNode unrated = month(org, thisMonth());

        assertThat(unrated.path("revenue").asString()).isEqualTo("0.00");
        assertThat(unrated.path("warnings").toString()).contains("2 agents are billed at a rate of 0");
        api.patch("/api/agents/" + second).as(owner).json(Map.of("billingRateOverride", "40.00")).send().expect(200);
        assertThat(month(org, thisMonth()).path("warnings").toString()).contains("1 agent is billed at a rate of 0");
        api.patch("/api/agents/" + second).as(owner).json(Map.of("billingRateOverride", "0.00")).send().expect(200);
        assertThat(month(org, thisMonth()).path("warnings").toString()).as("an override of 0 is chosen, not missing")
                .contains("1 agent is billed at a rate of 0");
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("billingRatePerAgent", "25.00")).send()
                .expect(200);
        JsonNode rated = month(org, thisMonth());
        assertThat(rated.path("revenue").asString()).isEqualTo("25.00");
        assertThat(rated.path("warnings").isEmpty()).as("the other agent's rate of 0 is its own override").isTrue();
        assertThat(api.get("/api/organizations/" + DefaultOrg.ID + "/billing?month=" + thisMonth()).as(owner).send()
                .expect(200).json().path("warnings").toString()).as("the operator's own agents bill nobody")
                .doesNotContain("rate of 0");
    }

    @Test
    void revenueIsTheRateOfEachAgentHeldAndCostIsTheUsageStampedWithTheOrg() {
        String org = org(Map.of());
        String plain = platform.createAgent(org, "Plain");
        String special = platform.createAgent(org, "Special");
        api.patch("/api/agents/" + special).as(owner).json(Map.of("billingRateOverride", "150.00")).send().expect(200);
        report(plain, "gpt-4o", 1_000_000, 100_000, 0, Instant.now());
        report(special, "gpt-4o", 0, 0, 2_000_000, Instant.now());

        JsonNode now = month(org, thisMonth());

        assertThat(now.path("revenue").asString()).isEqualTo("250.00");
        // 2.50 + 1.00 for the first agent, 2.50 (cached at 1.25) for the second
        assertThat(now.path("costUsd").decimalValue()).isEqualByComparingTo("6.00");
        assertThat(now.path("cost").asString()).isEqualTo("6.00");
        assertThat(now.path("margin").asString()).isEqualTo("97.60");
        assertThat(now.path("inputTokens").asLong()).isEqualTo(1_000_000);
        assertThat(now.path("cachedInputTokens").asLong()).isEqualTo(2_000_000);
        assertThat(now.path("agentsBilled").asInt()).isEqualTo(2);
        assertThat(now.path("warnings").isEmpty()).isTrue();
        Map<String, JsonNode> lines = new HashMap<>();
        now.path("lines").forEach(line -> lines.put(line.path("agentId").asString(), line));
        assertThat(lines.get(special).path("rate").asString()).isEqualTo("150.00");
        assertThat(lines.get(special).path("cost").asString()).isEqualTo("2.50");
        assertThat(lines.get(plain).path("costByModel").get(0).path("model").asString()).isEqualTo("gpt-4o");

        JsonNode summary = api.get("/api/organizations/" + org + "/billing-summary?months=3").as(owner).send()
                .expect(200).json();
        assertThat(summary.path("items")).singleElement().satisfies(first -> {
            assertThat(first.path("month").asString()).isEqualTo(thisMonth().toString());
            assertThat(first.path("revenue").asString()).isEqualTo("250.00");
        });
        // An org holding no agent: no revenue, so no margin either; never 0 % or an error.
        JsonNode empty = month(org(Map.of()), thisMonth());
        assertThat(empty.path("revenue").asString()).isEqualTo("0.00");
        assertThat(empty.path("margin").isNull()).isTrue();
    }

    /**
     * Deactivating an org, or pausing an agent, stops the agent working, not the contract:
     * the agents it holds are billed as before. Unassigning or deleting them is what stops it.
     */
    @Test
    void anInactiveOrgAndAPausedAgentAreStillBilledForTheAgentsHeld() {
        String org = org(Map.of());
        String paused = platform.createAgent(org, "Paused");
        platform.createAgent(org, "Idle");
        api.post("/api/agents/" + paused + "/pause").as(owner).json(Map.of("reason", "holiday")).send().expect(200);
        api.post("/api/organizations/" + org + "/toggle").as(owner).send().expect(200);
        assertThat(api.get("/api/organizations/" + org).as(owner).send().expect(200).json().path("active")
                .asBoolean()).isFalse();

        JsonNode now = month(org, thisMonth());

        assertThat(now.path("agentsBilled").asInt()).isEqualTo(2);
        assertThat(now.path("revenue").asString()).isEqualTo("200.00");
    }

    /**
     * An org's months begin when it was created: earlier ones, which no close froze for it,
     * would follow its settings of today. A month before, where usage was billed (imported
     * after the fact), is a month of its bill all the same.
     */
    @Test
    void theSummaryBeginsWithTheOrgUnlessUsageWasBilledBefore() {
        String org = org(Map.of("currency", "EUR"));
        String agent = platform.createAgent(org, "Newcomer");
        String summary = "/api/organizations/" + org + "/billing-summary?months=4";

        assertThat(api.get(summary).as(owner).send().expect(200).items()).singleElement()
                .satisfies(only -> assertThat(only.path("month").asString()).isEqualTo(thisMonth().toString()));
        YearMonth before = thisMonth().minusMonths(2);
        for (String path : List.of("/billing?month=" + before, "/billing/" + before + ".csv")) {
            assertThat(api.get("/api/organizations/" + org + path).as(owner).send().expect(400).text("detail"))
                    .as(path).contains("before the organization was created");
        }

        report(agent, "gpt-4o", 1_000_000, 0, 0, inMonth(before, 10));
        assertThat(api.get(summary).as(owner).send().expect(200).items()).extracting(s -> s.path("month").asString())
                .containsExactly(thisMonth().toString(), before.toString());
        assertThat(month(org, before).path("inputTokens").asLong()).isEqualTo(1_000_000);
    }

    @Test
    void usageStaysWithTheOrgThatHeldTheAgentAndAMovedAgentIsBilledToItsNewOrg() {
        String first = org(Map.of());
        String second = org(Map.of("billingRatePerAgent", "40.00"));
        String agent = platform.createAgent(first, "Traveller");
        report(agent, "gpt-4o", 1_000_000, 0, 0, Instant.now());

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", second)).send().expect(200);
        report(agent, "gpt-4o", 0, 1_000_000, 0, Instant.now());

        JsonNode left = month(first, thisMonth());
        JsonNode joined = month(second, thisMonth());
        assertThat(left.path("revenue").asString()).isEqualTo("0.00");
        assertThat(left.path("cost").asString()).isEqualTo("2.50");
        assertThat(joined.path("revenue").asString()).isEqualTo("40.00");
        assertThat(joined.path("cost").asString()).isEqualTo("10.00");
        assertThat(joined.path("margin").asString()).isEqualTo("75.00");
        // The org the agent left still shows its usage line, without revenue.
        assertThat(left.path("lines").get(0).path("revenue").asString()).isEqualTo("0.00");
        assertThat(left.path("lines").get(0).path("rate").isNull()).isTrue();
    }

    @Test
    void dailyProrationBillsTheDaysHeldAndTheCurrentHolderKeepsTheRestOfTheMonth() {
        String daily = org(Map.of("proration", "daily", "billingRatePerAgent", "310.00"));
        String agent = platform.createAgent(daily, "Part-timer");
        YearMonth month = thisMonth();
        int days = month.lengthOfMonth() - java.time.LocalDate.now(ZoneOffset.UTC).getDayOfMonth() + 1;

        JsonNode line = month(daily, month).path("lines").get(0);

        assertThat(line.path("daysBilled").asInt()).isEqualTo(days);
        assertThat(line.path("revenue").decimalValue()).isEqualByComparingTo(new BigDecimal("310.00")
                .multiply(BigDecimal.valueOf(days)).divide(BigDecimal.valueOf(month.lengthOfMonth()), 2,
                        RoundingMode.HALF_UP));
        // Moved away today: the day ends with the other org holding it, so it bills every day left.
        String other = org(Map.of("proration", "daily", "billingRatePerAgent", "310.00"));
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", other)).send().expect(200);
        assertThat(month(daily, month).path("revenue").asString()).isEqualTo("0.00");
        assertThat(month(other, month).path("lines").get(0).path("daysBilled").asInt()).isEqualTo(days);
    }

    @Test
    void aRateChangeAppliesFromNowAndProrationIsAnOrgSetting() {
        String org = org(Map.of());
        platform.createAgent(org, "Repriced");
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("billingRatePerAgent", "120.00")).send()
                .expect(200);
        assertThat(month(org, thisMonth()).path("revenue").asString()).isEqualTo("120.00");

        JsonNode changed = api.patch("/api/organizations/" + org).as(owner).json(Map.of("proration", "daily"))
                .send().expect(200).json();
        assertThat(changed.path("proration").asString()).isEqualTo("daily");
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("proration", "weekly")).send().expect(400);
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("monthlyBudget", "-5")).send().expect(400);
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("budgetAlertThresholds", List.of(50, 0)))
                .send().expect(400);
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("budgetAlertThresholds", List.of(50.5)))
                .send().expect(400);
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("budgetAlertThresholds", List.of()))
                .send().expect(400);
        assertThat(api.patch("/api/organizations/" + org).as(owner).json(Map.of("budgetAlertThresholds",
                List.of(50, 80, 50))).send().expect(400).json().path("detail").asString()).contains("50 % twice");
        JsonNode unchanged = api.get("/api/organizations/" + org).as(owner).send().expect(200).json();
        assertThat(unchanged.path("monthlyBudget").isNull()).isTrue();
        assertThat(unchanged.path("budgetAlertThresholds").toString()).isEqualTo("[50,80,100]");
    }

    @Test
    void withoutAnExchangeRateTheCostStaysInUsdAndTheMarginIsLeftEmpty() {
        String org = org(Map.of("currency", "GBP"));
        String agent = platform.createAgent(org, "Abroad");
        report(agent, "gpt-4o", 1_000_000, 0, 0, Instant.now());
        YearMonth month = thisMonth();

        JsonNode without = month(org, month);
        assertThat(without.path("currency").asString()).isEqualTo("GBP");
        assertThat(without.path("cost").isNull()).isTrue();
        assertThat(without.path("margin").isNull()).isTrue();
        assertThat(without.path("costUsd").decimalValue()).isEqualByComparingTo("2.50");
        assertThat(without.path("warnings").get(0).asString()).contains("No exchange rate from USD to GBP");

        api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "GBP", "rate", "0.79",
                "effectiveFrom", month.toString())).send().expect(200);
        JsonNode with = month(org, month);
        assertThat(with.path("cost").asString()).isEqualTo("1.98"); // 2.50 x 0.79 = 1.975, half up
        assertThat(with.path("fxRate").decimalValue()).isEqualByComparingTo("0.79");
        assertThat(with.path("margin").asString()).isEqualTo("98.02");
        assertThat(with.path("warnings").isEmpty()).isTrue();
    }

    @Test
    void unpricedUsageIsShownAsAWarningNotCostedAtZero() {
        String org = org(Map.of());
        String agent = platform.createAgent(org, "Experimental");
        String model = "unpriced-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        report(agent, model, 5_000, 1_000, 0, Instant.now());

        Api.Response unpriced = api.get("/api/organizations/" + org + "/billing?month=" + thisMonth()).as(owner)
                .send().expect(200);
        JsonNode statement = unpriced.json();
        assertThat(unpriced.body()).as("a zero amount in digits, not 0E-12").contains("\"costUsd\":0.000000000000,")
                .doesNotContainPattern(":-?[0-9.]+[eE][-+]?[0-9]");
        assertThat(statement.path("unpricedTokens").asLong()).isEqualTo(6_000);
        assertThat(statement.path("warnings").get(0).asString()).contains("6,000 tokens").contains(model);
        assertThat(statement.path("lines").get(0).path("unpricedTokens").asLong()).isEqualTo(6_000);

        api.post("/api/settings/models").as(owner).json(Map.of("model", model, "provider", "Lab",
                "inputPricePerMillion", 1, "outputPricePerMillion", 2)).send().expect(201);
        api.post("/api/billing/rerate").as(owner).json(Map.of("model", model, "from",
                Instant.now().minusSeconds(3600).toString(), "to", Instant.now().plusSeconds(3600).toString()))
                .send().expect(200);
        JsonNode rerated = month(org, thisMonth());
        assertThat(rerated.path("unpricedTokens").asLong()).isZero();
        assertThat(rerated.path("costUsd").decimalValue()).isEqualByComparingTo("0.007");
        assertThat(rerated.path("warnings").isEmpty()).isTrue();
    }

    /** A cost a fraction of a cent past the budget is over it, on every page that says so. */
    @Test
    void aCostJustPastTheBudgetReadsAsOverIt() {
        String org = org(Map.of("monthlyBudget", "10.00"));
        String agent = platform.createAgent(org, "Just over");
        report(agent, "gpt-4o", 4_000_151, 0, 0, Instant.now()); // 10.0003775 USD

        JsonNode statement = month(org, thisMonth());
        JsonNode card = api.get("/api/billing/month-to-date?orgIds=" + org).as(owner).send().expect(200).json()
                .path("items").get(0);
        JsonNode onHome = null;
        for (JsonNode budget : api.get("/api/dashboard").as(owner).send().expect(200).json().path("budgets")) {
            if (budget.path("orgId").asString().equals(org)) {
                onHome = budget;
            }
        }

        assertThat(statement.path("cost").asString()).isEqualTo("10.00");
        assertThat(statement.path("budgetUsed").asString()).isEqualTo("100.01");
        assertThat(card.path("budgetUsed").asString()).isEqualTo("100.01");
        assertThat(onHome).isNotNull();
        assertThat(onHome.path("over").asBoolean()).isTrue();
    }

    @Test
    void budgetThresholdsAreRecordedOncePerMonth() {
        String org = org(Map.of("monthlyBudget", "10.00"));
        String agent = platform.createAgent(org, "Spender");
        report(agent, "gpt-4o", 0, 850_000, 0, Instant.now()); // 8.50 USD: 85 % of the budget

        budgetWatch.check(Instant.now());
        budgetWatch.check(Instant.now());

        JsonNode alerts = api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).json();
        assertThat(alerts.path("items")).hasSize(2);
        assertThat(alerts.path("items").get(0).path("threshold").asInt()).isEqualTo(50);
        assertThat(alerts.path("items").get(1).path("threshold").asInt()).isEqualTo(80);
        JsonNode statement = api.get("/api/organizations/" + org + "/billing-summary?months=1").as(owner).send()
                .expect(200).json().path("items").get(0);
        assertThat(statement.path("budgetUsed").asString()).isEqualTo("85.00");
        assertThat(statement.path("budgetAlerts").toString()).isEqualTo("[50,80]");

        report(agent, "gpt-4o", 0, 200_000, 0, Instant.now()); // 10.50: over budget
        budgetWatch.check(Instant.now());
        assertThat(api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().json().path("items"))
                .hasSize(3);
        assertThat(api.get("/api/audit?action=billing.budget_alert").as(owner).org(org).send().expect(200).items())
                .hasSize(3);
    }

    /**
     * An agent's own monthly budget warns as the org's does, by the agent's cost in the org
     * that holds it, against the org's thresholds: once per threshold, in the alert list (with
     * the agent's id) and the audit log. The org without a budget of its own alerts nothing.
     */
    @Test
    void anAgentsOwnBudgetWarnsByItsCostInItsOrg() {
        String org = org(Map.of("budgetAlertThresholds", List.of(50, 100)));
        String agent = platform.createAgent(org, "Budgeted");
        String other = platform.createAgent(org, "Unbudgeted");
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("monthlyBudget", "1.00")).send().expect(200);
        report(agent, "gpt-4o", 0, 60_000, 0, Instant.now()); // 0.60 USD: 60 % of its budget
        report(other, "gpt-4o", 0, 500_000, 0, Instant.now()); // another agent's 5.00 USD counts nothing

        budgetWatch.check(Instant.now());
        budgetWatch.check(Instant.now());
        JsonNode first = api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).json();
        report(agent, "gpt-4o", 0, 50_000, 0, Instant.now()); // 1.10 USD: over
        budgetWatch.check(Instant.now());
        JsonNode alerts = api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).json();

        assertThat(first.path("items")).extracting(a -> a.path("threshold").asInt()).containsExactly(50);
        assertThat(alerts.path("items")).extracting(a -> a.path("threshold").asInt()).containsExactly(50, 100);
        assertThat(alerts.path("items")).allSatisfy(a -> {
            assertThat(a.path("agentId").asString()).isEqualTo(agent);
            assertThat(a.path("budget").decimalValue()).isEqualByComparingTo("1.00");
        });
        assertThat(alerts.path("items").get(1).path("cost").decimalValue()).isEqualByComparingTo("1.10");
        assertThat(api.get("/api/audit?action=billing.agent_budget_alert").as(owner).org(org).send().expect(200)
                .items()).extracting(e -> e.path("targetId").asString()).containsExactly(agent, agent);
        assertThat(month(org, thisMonth()).path("budgetAlerts").toString()).isEqualTo("[]");

        // Moved on, the agent's cost in its new org starts from nothing; its old org keeps its alerts.
        String next = org(Map.of());
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", next)).send().expect(200);
        budgetWatch.check(Instant.now());
        assertThat(api.get("/api/organizations/" + next + "/budget-alerts").as(owner).send().expect(200).items())
                .isEmpty();
        assertThat(api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).items())
                .hasSize(2);
    }

    /**
     * Checks that run at once (two nodes' watches, or a close beside one) record each
     * crossing once, the org's and the agent's, in the alert list and in the audit log.
     */
    @Test
    void checksAtOnceRecordEachCrossingOnce() {
        String org = org(Map.of("monthlyBudget", "1.00", "budgetAlertThresholds", List.of(50, 100)));
        String agent = platform.createAgent(org, "Raced");
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("monthlyBudget", "1.00")).send().expect(200);
        report(agent, "gpt-4o", 0, 200_000, 0, Instant.now()); // 2.00 USD: both budgets twice over

        CountDownLatch start = new CountDownLatch(1);
        Instant now = Instant.now();
        List<CompletableFuture<Integer>> checks = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            checks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return budgetWatch.check(now);
            }));
        }
        start.countDown();
        checks.forEach(CompletableFuture::join);

        assertThat(api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).items())
                .extracting(a -> (a.path("agentId").isNull() ? "org " : "agent ") + a.path("threshold").asInt())
                .containsExactlyInAnyOrder("org 50", "org 100", "agent 50", "agent 100");
        assertThat(api.get("/api/audit?action=billing.budget_alert").as(owner).org(org).send().expect(200).items())
                .hasSize(2);
        assertThat(api.get("/api/audit?action=billing.agent_budget_alert").as(owner).org(org).send().expect(200)
                .items()).hasSize(2);
    }

    /**
     * Usage of a month's last minutes is often checked only after the month has ended: the
     * watch keeps checking the month before until it is closed. A threshold is crossed by the
     * exact cost: 7.9999 of 10.00 is not 80 %, though it shows as 80.00 % rounded up.
     */
    @Test
    void aThresholdCrossedAtTheEndOfAMonthIsAlertedInTheNextAndOnlyWhenReallyCrossed() {
        String org = org(Map.of("monthlyBudget", "10.00"));
        String agent = platform.createAgent(org, "Late spender");
        report(agent, "gpt-4o", 3_199_960, 0, 0, Instant.now()); // 7.9999 USD
        Instant nextMonth = BillingMonth.start(thisMonth().plusMonths(1)).plusSeconds(60);

        budgetWatch.check(nextMonth);
        JsonNode below = api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).json();
        report(agent, "gpt-4o", 40, 0, 0, Instant.now()); // 8.0000 USD: 80 % exactly
        budgetWatch.check(nextMonth);
        JsonNode alerts = api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).json();

        assertThat(below.path("items")).extracting(a -> a.path("threshold").asInt()).containsExactly(50);
        assertThat(alerts.path("items")).extracting(a -> a.path("threshold").asInt()).containsExactly(50, 80);
        assertThat(alerts.path("items").get(1).path("month").asString()).isEqualTo(thisMonth().toString());
    }

    @Test
    void theCsvHasALinePerAgentAndDisarmsFormulas() {
        String org = org(Map.of());
        String agent = api.post("/api/agents").as(owner).org(org).json(Map.of("name", "=HYPERLINK(\"x\")"))
                .send().expect(201).id();
        report(agent, "gpt-4o", 1_000_000, 0, 0, Instant.now());

        Api.Response csv = api.get("/api/organizations/" + org + "/billing/" + thisMonth() + ".csv").as(owner)
                .send().expect(200);

        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.header("Content-Disposition")).contains("attachment").contains(".csv");
        String[] rows = csv.body().split("\r\n");
        assertThat(rows).hasSize(3);
        assertThat(rows[0]).startsWith("month,organization,currency,agent_id,agent_name");
        assertThat(rows[1]).contains(agent).contains("\"'=HYPERLINK(\"\"x\"\")\"").contains(",100.00,")
                .endsWith(",2.50");
        assertThat(rows[2]).contains(",total,").contains(",100.00,");
        api.get("/api/organizations/" + org + "/billing/2026-13.csv").as(owner).send().expect(400);
    }

    @Test
    void budgetUseIsReadFromTheExactCostNotTheRoundedOne() {
        String org = org(Map.of("monthlyBudget", "0.01", "budgetAlertThresholds", List.of(100, 110)));
        for (int i = 0; i < 3; i++) {
            // 1,600 input tokens of gpt-4o cost 0.004 USD each time: 0.012 in all, shown as 0.01.
            report(platform.createAgent(org, "Tiny " + i), "gpt-4o", 1_600, 0, 0, Instant.now());
        }
        JsonNode now = month(org, thisMonth());
        assertThat(now.path("cost").asString()).isEqualTo("0.01");
        assertThat(now.path("budgetUsed").asString()).isEqualTo("120.00");
        budgetWatch.check(Instant.now());
        assertThat(month(org, thisMonth()).path("budgetAlerts").toString()).isEqualTo("[100,110]");
    }

    @Test
    void theOverviewListsEveryOrgWithTotalsPerCurrency() {
        String usd = org(Map.of());
        String eur = org(Map.of("currency", "EUR", "billingRatePerAgent", "50.00"));
        platform.createAgent(usd, "Dollar");
        platform.createAgent(eur, "Euro");

        JsonNode overview = api.get("/api/billing/overview?month=" + thisMonth()).as(owner).send().expect(200).json();

        assertThat(overview.path("month").asString()).isEqualTo(thisMonth().toString());
        assertThat(overview.path("closed").asBoolean()).isFalse();
        Map<String, JsonNode> items = new HashMap<>();
        overview.path("items").forEach(item -> items.put(item.path("orgId").asString(), item));
        assertThat(items.get(usd).path("revenue").asString()).isEqualTo("100.00");
        assertThat(items.get(eur).path("currency").asString()).isEqualTo("EUR");
        Map<String, JsonNode> totals = new HashMap<>();
        overview.path("totals").forEach(total -> totals.put(total.path("currency").asString(), total));
        assertThat(totals.keySet()).contains("USD", "EUR");
        BigDecimal usdRevenue = BigDecimal.ZERO;
        for (JsonNode item : overview.path("items")) {
            if (item.path("currency").asString().equals("USD")) {
                usdRevenue = usdRevenue.add(item.path("revenue").decimalValue());
            }
            assertThat(item.has("lines")).isFalse();
        }
        assertThat(totals.get("USD").path("revenue").decimalValue()).isEqualByComparingTo(usdRevenue);
        // The operator's own organization is given apart, in no client row and no client total.
        assertThat(items).doesNotContainKey(io.tenantry.tenancy.DefaultOrg.ID.toString());
        assertThat(overview.path("own").path("orgId").asString()).isEqualTo(io.tenantry.tenancy.DefaultOrg.ID.toString());
        assertThat(overview.path("own").has("lines")).isFalse();
    }

    @Test
    void badMonthsAndCountsAreRefusedClearly() {
        String org = org(Map.of());
        String base = "/api/organizations/" + org;
        for (String query : List.of("months=0", "months=121", "months=twelve", "months=1.5")) {
            assertThat(api.get(base + "/billing-summary?" + query).as(owner).send().expect(400).text("detail"))
                    .contains("months");
        }
        for (String month : List.of("2026-13", "26-01", "2026-1", "november", "2026-00", "%27%3B--")) {
            assertThat(api.get(base + "/billing?month=" + month).as(owner).send().expect(400).text("detail"))
                    .contains("month");
        }
        for (String future : List.of("/billing?month=", "/budget-alerts?month=", "/billing/")) {
            String path = base + future + thisMonth().plusMonths(1) + (future.endsWith("/") ? ".csv" : "");
            assertThat(api.get(path).as(owner).send().expect(400).text("detail")).as(path).contains("has not begun");
        }
        api.get("/api/billing/overview?month=2026-99").as(owner).send().expect(400);
        api.get("/api/organizations/00000000-0000-0000-0000-00000000abcd/billing").as(owner).send().expect(404);
        api.get("/api/organizations/not-a-uuid/billing").as(owner).send().expect(400);
    }

    @Test
    void aUserBoundToAnOrgSeesOnlyItsBillingAndNeverTheOverview() {
        String mine = org(Map.of());
        String theirs = org(Map.of());
        String billingUser = platform.createUser("user", mine, List.of("billing"));
        String noBilling = platform.createUser("user", mine, List.of("organizations"));

        api.get("/api/organizations/" + mine + "/billing-summary").as(billingUser).send().expect(200);
        api.get("/api/organizations/" + theirs + "/billing-summary").as(billingUser).send().expect(404);
        api.get("/api/organizations/" + theirs + "/billing").as(billingUser).send().expect(404);
        api.get("/api/organizations/" + theirs + "/billing/" + thisMonth() + ".csv").as(billingUser).send()
                .expect(404);
        api.get("/api/organizations/" + mine + "/billing").as(billingUser).org(theirs).send().expect(403);
        api.get("/api/billing/overview").as(billingUser).send().expect(403);
        assertThat(api.get("/api/organizations/" + mine + "/billing").as(noBilling).send().expect(403)
                .text("detail")).contains("billing");
    }
}
