package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

/**
 * An agent reports usage within the lateness window (TENANTRY_USAGE_MAX_LATENESS, seven
 * days by default; two seconds on this test's server); older usage is an operator's import.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.usage.max-lateness=PT2S")
class UsageLatenessTest extends ServerTest {

    @Test
    void usageOlderThanTheWindowIsRefusedToTheAgentAndImportedByAnOperator() throws InterruptedException {
        String agent = platform.createAgent(platform.createOrg("Late"), "Slow reporter");
        String key = platform.issueKey(agent);
        Instant happened = Instant.now();
        Thread.sleep(2_500);
        Map<String, Object> late = UsageEvents.event("gpt-4o", 5, 5, 0, happened);

        Api.Response refused = api.post("/agent/v1/usage").as(key).json(late).send();
        Api.Response imported = api.post("/api/usage").as(owner).json(UsageEvents.withAgent(late, agent)).send();
        Api.Response fresh = api.post("/agent/v1/usage").as(key).json(UsageEvents.event("gpt-4o", 5, 5, 0,
                Instant.now())).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.text("field")).isEqualTo("occurredAt");
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        assertThat(imported.header("Idempotent-Replayed")).as("the agent's attempt stored nothing").isNull();
        assertThat(fresh.status()).isEqualTo(201);
    }
}
