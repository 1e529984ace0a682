package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
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

    @Test
    void anAcknowledgedEventRetriedAfterTheWindowIsAnsweredAsTheFirstTime() throws InterruptedException {
        String key = platform.issueKey(platform.createAgent(platform.createOrg("Retrying"), "Patient reporter"));
        Map<String, Object> sent = UsageEvents.event("gpt-4o", 5, 5, 0, Instant.now());
        Api.Response first = api.post("/agent/v1/usage").as(key).json(sent).send().expect(201);
        Thread.sleep(2_500);

        Api.Response retried = api.post("/agent/v1/usage").as(key).json(sent).send();
        Map<String, Object> inWindow = UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now());
        Map<String, Object> lateAndNew = UsageEvents.event("gpt-4o", 5, 5, 0, Instant.parse((String) sent.get(
                "occurredAt")));
        Api.Response mixed = api.post("/agent/v1/usage").as(key)
                .json(Map.of("events", List.of(sent, inWindow, lateAndNew))).send();
        Api.Response inWindowAlone = api.post("/agent/v1/usage").as(key).json(inWindow).send();

        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.body()).isEqualTo(first.body());
        assertThat(mixed.status()).as(mixed.toString()).isEqualTo(400);
        assertThat(mixed.text("field")).isEqualTo("events[2].occurredAt");
        assertThat(inWindowAlone.header("Idempotent-Replayed"))
                .as("the refused batch stored none of its events").isNull();
    }

    @Test
    void aLateRetryUnderAnIdempotencyKeyFindsTheEventStoredUnderTheKeysOtherFormOnTime()
            throws InterruptedException {
        String key = platform.issueKey(platform.createAgent(platform.createOrg("Keyed and late"), "Reporter"));
        String idempotencyKey = "late-" + java.util.UUID.randomUUID();
        Map<String, Object> sent = UsageEvents.event("gpt-4o", 6, 6, 0, Instant.now());
        sent.remove("eventId");
        Map<String, Object> batchOfOne = new java.util.HashMap<>(sent);
        batchOfOne.put("eventId", idempotencyKey + "#0");
        api.post("/agent/v1/usage").as(key).json(Map.of("events", List.of(batchOfOne))).send().expect(201);
        Thread.sleep(2_500);

        Api.Response retried = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey)
                .json(sent).send();

        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.text("eventId")).isEqualTo(idempotencyKey + "#0");
    }
}
