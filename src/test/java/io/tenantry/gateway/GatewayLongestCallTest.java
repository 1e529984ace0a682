package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * No gateway call runs longer than TENANTRY_GATEWAY_MAX_CALL_DURATION (two seconds here),
 * and that bound is what keeps a call's usage from being lost: an org its agent left while
 * a call of it was running stays undeletable until no such call can still be billed to it.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway-longest-call",
        "tenantry.gateway.max-call-duration=PT2S", "tenantry.gateway.retry-backoff=PT0.01S",
        "tenantry.gateway.max-retry-wait=PT0.05S"})
class GatewayLongestCallTest extends GatewayServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    String model;

    @BeforeEach
    void route() {
        freshOrganization("Longest call org");
        model = UpstreamRoute.create(api, owner, fake, "longest", null, Map.of("firstByteTimeoutMs", 60_000,
                "idleTimeoutMs", 60_000)).model();
    }

    static Map<String, Object> chat(String model, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", "Count slowly.")));
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    Api.Response stream(String agentKey) {
        return api.post("/agent/v1/chat/completions").as(agentKey).json(chat(model, "stream", true)).send();
    }

    List<JsonNode> requests(String orgId) {
        return api.get("/api/gateway/requests").org(orgId).as(owner).send().expect(200).items();
    }

    long usageEventsOf(String orgId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select count(*) from usage_events where org_id = :org").param("org", UUID.fromString(orgId))
                .query(Long.class).single());
    }

    @Test
    void aStreamStillRunningAtTheLongestCallIsEndedAndBilledForWhatItStreamed() {
        fake.then(FakeUpstream.Mode.SLOW_STREAM);
        long started = System.nanoTime();

        Api.Response answer = stream(key).expect(200);

        assertThat((System.nanoTime() - started) / 1_000_000).as("ended at about two seconds").isBetween(1_900L,
                3_500L);
        List<String> data = Arrays.stream(answer.body().split("\n")).filter(l -> l.startsWith("data: "))
                .map(l -> l.substring(6)).toList();
        assertThat(data).last().asString().contains("\"code\":\"call_too_long\"").doesNotContain("[DONE]");
        assertThat(fake.slowChunksSent).as("the upstream was stopped").isLessThan(200);
        JsonNode logged = requests(org).get(0);
        assertThat(logged.path("status").asString()).isEqualTo("cut");
        assertThat(logged.path("httpStatus").asInt()).isEqualTo(504);
        assertThat(logged.path("errorCode").asString()).isEqualTo("call_too_long");
        assertThat(logged.path("outputTokens").asLong()).as("what was streamed is billed").isGreaterThan(10);
        assertThat(logged.path("estimated").asBoolean()).isTrue();
        assertThat(usageEventsOf(org)).isEqualTo(1);
    }

    @Test
    void anUpstreamThatDoesNotAnswerWithinTheLongestCallIsNotWaitedForPastIt() {
        fake.delayMillis = 3_000;
        long started = System.nanoTime();

        JsonNode error = api.post("/agent/v1/chat/completions").as(key).json(chat(model)).send().expect(504).json()
                .path("error");

        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_900L);
        assertThat(error.path("code").asString()).isEqualTo("call_too_long");
        assertThat(requests(org).get(0).path("errorCode").asString()).isEqualTo("call_too_long");
    }

    /**
     * The outside tester's case: an agent's first call is running, the agent is moved to
     * another org, and its old org, left with nothing billed, is deleted; the call then ended
     * and its usage and request log line were lost. The org now stays undeletable, saying
     * until when, and the call is billed to it.
     */
    @Test
    void anOrgAnAgentLeftDuringACallIsNotDeletedUnderTheCall() throws Exception {
        String other = platform.createOrg("Where the agent goes " + UUID.randomUUID());
        fake.then(FakeUpstream.Mode.SLOW_STREAM);
        CompletableFuture<Api.Response> running = CompletableFuture.supplyAsync(() -> stream(key));
        for (int i = 0; i < 200 && fake.slowChunksSent == 0; i++) {
            Thread.sleep(10);
        }
        assertThat(fake.slowChunksSent).as("the call is streaming").isPositive();

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", other)).send().expect(200);
        JsonNode check = api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200).json();
        assertThat(check.path("deletable").asBoolean()).isFalse();
        assertThat(check.path("obstacles").get(0).path("kind").asString()).isEqualTo("calls");
        assertThat(check.path("obstacles").get(0).path("detail").asString()).as("the call, noted as it went upstream")
                .contains("A gateway call of this organization is running").contains("billed here when it ends");
        api.delete("/api/organizations/" + org).as(owner).send().expect(409);

        running.get();
        assertThat(requests(org)).as("the call's log line, in the org that served it").hasSize(1);
        assertThat(usageEventsOf(org)).as("its usage, billed to that org").isEqualTo(1);
    }

    @Test
    void anOrgIsDeletableOnceNoCallBegunThereCanStillBeBilledToIt() throws Exception {
        String other = platform.createOrg("Where the agent goes " + UUID.randomUUID());
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", other)).send().expect(200);
        api.delete("/api/organizations/" + org).as(owner).send().expect(409);

        Thread.sleep(4_200);

        assertThat(api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200).json()
                .path("deletable").asBoolean()).isTrue();
        api.delete("/api/organizations/" + org).as(owner).send().expect(204);
    }
}
