package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;

/**
 * A node serves at most tenantry.gateway.max-calls gateway calls at once, on request threads
 * of their own: one call more is refused at once with 503 and Retry-After (which OpenAI's SDKs
 * retry), and the dashboard and the rest of the API keep Tomcat's threads whatever the
 * gateway's calls are doing.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway-capacity", "tenantry.gateway.max-calls=2"})
class GatewayCapacityTest extends GatewayServerTest {

    @Autowired
    WebServerApplicationContext server;

    String model;

    @BeforeEach
    void route() {
        model = UpstreamRoute.create(api, owner, fake, "capacity", null, Map.of()).model();
        freshOrganization("Capacity org");
    }

    Api.Response complete() {
        return api.post("/agent/v1/chat/completions").as(key).json(Map.of("model", model, "messages",
                List.of(Map.of("role", "user", "content", "Hello there.")))).send();
    }

    @Test
    void aCallPastTheMostAtOnceIsRefusedAtOnceAndTheRestOfTheServerStillAnswers() throws Exception {
        fake.delayMillis = 2_000;
        CompletableFuture<Api.Response> first = CompletableFuture.supplyAsync(this::complete);
        CompletableFuture<Api.Response> second = CompletableFuture.supplyAsync(this::complete);
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fake.calls() < 2 && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        assertThat(fake.calls()).as("both calls reached the upstream").isEqualTo(2);

        Api.Response refused = complete().expect(503);
        JsonNode error = refused.json().path("error");
        assertThat(error.path("type").asString()).isEqualTo("api_error");
        assertThat(error.path("code").asString()).isEqualTo("server_overloaded");
        assertThat(error.path("message").asString()).contains("most calls at once (2)");
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(first).as("refused while the two calls were still waiting for their answers").isNotDone();
        api.get("/api/agents").org(org).as(owner).send().expect(200);

        assertThat(first.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(second.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        fake.delayMillis = 0;
        complete().expect(200);
        assertThat(fake.calls()).as("the refused call never reached the upstream").isEqualTo(3);
        List<JsonNode> log = api.get("/api/gateway/requests").org(org).as(owner).send().expect(200).items();
        assertThat(log).hasSize(4).filteredOn(r -> r.path("httpStatus").asInt() == 503).singleElement()
                .satisfies(r -> assertThat(r.path("errorCode").asString()).isEqualTo("server_overloaded"));
    }

    @Test
    void ofTwelveCallsAtOnceTwoAreServedAndTenRefusedEachOnTheRecord() throws Exception {
        // Long enough for all twelve to arrive while the first two still wait for their answers.
        fake.delayMillis = 2_000;
        List<Api.Response> answers = GatewayBudgetTest.concurrently(12, this::complete);

        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(2);
        assertThat(answers).filteredOn(a -> a.status() != 200).hasSize(10).allSatisfy(a -> {
            assertThat(a.status()).as(a.toString()).isEqualTo(503);
            assertThat(a.json().path("error").path("code").asString()).isEqualTo("server_overloaded");
        });
        assertThat(fake.calls()).isEqualTo(2);
        assertThat(fake.mostAtOnce.get()).as("calls at the upstream at one time").isEqualTo(2);
        List<JsonNode> log = api.get("/api/gateway/requests?limit=100").org(org).as(owner).send().expect(200).items();
        assertThat(log).hasSize(12).filteredOn(r -> r.path("httpStatus").asInt() == 200).hasSize(2);
    }

    @Test
    void gatewayCallsHaveRequestThreadsOnTopOfTomcatsOwn() {
        TomcatWebServer tomcat = (TomcatWebServer) server.getWebServer();
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) tomcat.getTomcat().getConnector().getProtocolHandler();
        assertThat(protocol.getMaxThreads()).isEqualTo(200 + 2);
    }

    @Test
    void aMostThatServesNoCallOrThatNoNodeCouldServeStopsTheServerFromStarting() {
        for (int most : new int[] {0, -1, GatewayCapacity.MOST_CALLS + 1}) {
            assertThatThrownBy(() -> new GatewayCapacity(most, 200)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("TENANTRY_GATEWAY_MAX_CALLS must be between 1 and 20000 (gateway calls in flight "
                            + "on this node); it is " + most + ".");
        }
        assertThat(new GatewayCapacity(GatewayCapacity.MOST_CALLS, 200).take()).isNotNull();
    }
}
