package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * A bill as large as the inputs allow is stored like any other: one org's outsized month
 * must neither stop every org's month from closing nor every other org's budget alerts. On
 * a database of its own, since it closes last month (closed months are platform-wide).
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=outsized-bills")
class OutsizedBillTest extends ServerTest {

    @Autowired
    BudgetWatch budgetWatch;

    @Autowired
    StatementArchive archive;

    @Autowired
    ScopedTransactions transactions;

    /** Each event the most tokens an event may carry, at the highest price a model may have: 10^12 USD. */
    void importOutsized(String agent, String model, Instant at, int events) {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(UsageEvents.withAgent(UsageEvents.event(model, 0, 1_000_000_000_000L, 0, at), agent));
        }
        api.post("/api/usage").as(owner).json(Map.of("events", batch)).send().expect(201);
    }

    @Test
    void anOutsizedMonthClosesAndEveryOrgsBudgetAlertsStillFire() {
        MonthEdge.awayFromMidnight();
        YearMonth last = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        String model = "outsized-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/models").as(owner).json(Map.of("model", model, "provider", "Outsized",
                "inputPricePerMillion", "1000000", "outputPricePerMillion", "1000000")).send().expect(201);
        String outsized = platform.createOrg(Map.of("name", "Outsized", "monthlyBudget", "1.00"));
        String modest = platform.createOrg(Map.of("name", "Modest", "monthlyBudget", "1.00"));
        String big = platform.createAgent(outsized, "Big spender");
        String small = platform.createAgent(modest, "Small spender");
        importOutsized(big, model, last.atDay(10).atTime(12, 0).toInstant(ZoneOffset.UTC), 150);
        importOutsized(big, model, Instant.now(), 150);
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event(model, 0, 10, 0, Instant.now()),
                small)).send().expect(201);

        // Prices take effect from now on: last month's usage is priced by a rerate, before the close.
        api.post("/api/billing/rerate").as(owner).json(Map.of("model", model, "from", last.atDay(1).atStartOfDay()
                .toInstant(ZoneOffset.UTC).toString(), "to", Instant.now().toString())).send().expect(200);
        budgetWatch.check(Instant.now());
        Api.Response close = api.post("/api/billing/close").as(owner).json(Map.of("month", last.toString())).send();

        JsonNode modestAlerts = api.get("/api/organizations/" + modest + "/budget-alerts").as(owner).send().expect(200)
                .json();
        JsonNode outsizedAlerts = api.get("/api/organizations/" + outsized + "/budget-alerts").as(owner).send()
                .expect(200).json();
        assertThat(modestAlerts.path("items").size()).as("the modest org's alerts: " + modestAlerts).isEqualTo(3);
        assertThat(outsizedAlerts.path("items").get(0).path("cost").decimalValue())
                .isEqualByComparingTo("150000000000000.00");
        assertThat(close.status()).as(close.toString()).isIn(200, 201);
        JsonNode closed = api.get("/api/organizations/" + outsized + "/billing?month=" + last).as(owner).send()
                .expect(200).json();
        assertThat(closed.path("closed").asBoolean()).as(closed.toString()).isTrue();
        assertThat(closed.path("cost").decimalValue()).as(closed.toString()).isEqualByComparingTo("150000000000000.00");
        assertThat(closed.path("lines").get(0).path("cost").decimalValue()).isEqualByComparingTo("150000000000000.00");
    }

    /** The largest amounts a statement can reach (see V33) are kept to the cent. */
    @Test
    void aFrozenStatementHoldsTheLargestAmountsItsInputsAllow() {
        UUID orgId = UUID.randomUUID();
        YearMonth month = YearMonth.of(2001, 1);
        BigDecimal revenue = new BigDecimal("999999999999999999999.99");
        BigDecimal costUsd = new BigDecimal("99999999999999999999999999.999999999999");
        BigDecimal cost = new BigDecimal("99999999999999999999999999999999.99");
        BigDecimal margin = new BigDecimal("-99999999999999999999999999999999999999999.99");
        Statement.Line line = new Statement.Line(UUID.randomUUID(), "Agent", "agent", null, new BigDecimal(
                "999999999999.99"), null, revenue, costUsd, cost, 1, 1, 0, 0, 0, List.of());
        Statement statement = new Statement(orgId, "Gone", month.toString(), "USD", "month_end", true, revenue, cost,
                costUsd, new BigDecimal("1000000"), margin, 1, 1, 0, 0, 0, 1, null, null, List.of(), List.of(),
                List.of(line));

        OrgScope all = OrgScope.allOrgs();
        transactions.write(all, () -> archive.save(all, List.of(statement), Instant.now()));
        Statement frozen = transactions.read(all, () -> archive.of(all.narrowedTo(List.of(orgId)), month, month, true))
                .get(0);

        assertThat(frozen.revenue()).isEqualByComparingTo(revenue);
        assertThat(frozen.cost()).isEqualByComparingTo(cost);
        assertThat(frozen.costUsd()).isEqualByComparingTo(costUsd);
        assertThat(frozen.margin()).isEqualByComparingTo(margin);
        assertThat(frozen.lines().get(0).cost()).isEqualByComparingTo(cost);
        assertThat(frozen.lines().get(0).revenue()).isEqualByComparingTo(revenue);
    }
}
