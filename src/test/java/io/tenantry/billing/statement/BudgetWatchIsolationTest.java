package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import io.tenantry.support.MonthEdge;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

/**
 * One org whose budget alerts cannot be recorded (here made to fail) withholds no other
 * org's: each org's crossings are recorded on their own, and the failed ones on a later
 * check. The failure once was a cost too large for its column, which stopped every org's
 * alerts.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=budget-watch-isolation")
class BudgetWatchIsolationTest extends ServerTest {

    @Autowired
    BudgetWatch budgetWatch;

    @MockitoSpyBean
    BudgetAlerts alerts;

    String overBudget(String name) {
        String org = platform.createOrg(Map.of("name", name, "monthlyBudget", "1.00"));
        String agent = platform.createAgent(org, "Spender");
        // 2.50 USD of gpt-4o output: past every default threshold (50, 80 and 100 %).
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 0, 250_000, 0,
                Instant.now()), agent)).send().expect(201);
        return org;
    }

    int alertsOf(String org) {
        return api.get("/api/organizations/" + org + "/budget-alerts").as(owner).send().expect(200).json()
                .path("items").size();
    }

    @Test
    void anOrgWhoseAlertsFailWithholdsNoOtherOrgsAlerts() {
        MonthEdge.awayFromMidnight();
        String failing = overBudget("Failing");
        String healthy = overBudget("Healthy");
        UUID failingId = UUID.fromString(failing);
        boolean[] broken = {true};
        doAnswer(call -> {
            if (broken[0] && ((BudgetAlerts.Alert) call.getArgument(1)).orgId().equals(failingId)) {
                throw new DataIntegrityViolationException("made to fail");
            }
            return call.callRealMethod();
        }).when(alerts).record(any(), any());

        budgetWatch.check(Instant.now());

        assertThat(alertsOf(healthy)).as("the healthy org's alerts").isEqualTo(3);
        assertThat(alertsOf(failing)).as("nothing half recorded for the failing org").isZero();

        broken[0] = false;
        budgetWatch.check(Instant.now());
        assertThat(alertsOf(failing)).as("recorded on the next check").isEqualTo(3);
        assertThat(alertsOf(healthy)).as("each recorded once").isEqualTo(3);
    }
}
