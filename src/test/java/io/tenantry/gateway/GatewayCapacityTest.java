package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 * gateway's calls are doing. One organization takes at most tenantry.gateway.max-calls-per-org
 * of those places (429 past it), so that the other orgs' agents still find one.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway-capacity", "tenantry.gateway.max-calls=3",
        "tenantry.gateway.max-calls-per-org=2"})
class GatewayCapacityTest extends GatewayServerTest {

    @Autowired
    WebServerApplicationContext server;

    String model;
    String otherOrg;
    String otherKey;

    @BeforeEach
    void route() {
        model = UpstreamRoute.create(api, owner, fake, "capacity", null, Map.of()).model();
        otherOrg = platform.createOrg("Neighbour org");
        otherKey = platform.issueKey(platform.createAgent(otherOrg, "Neighbour agent"));
        freshOrganization("Capacity org");
    }

    Api.Response complete() {
        return complete(key);
    }

    Api.Response complete(String asKey) {
        return api.post("/agent/v1/chat/completions").as(asKey).json(Map.of("model", model, "messages",
                List.of(Map.of("role", "user", "content", "Hello there.")))).send();
    }

    void awaitUpstreamCalls(int calls) throws InterruptedException {
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fake.calls() < calls && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        assertThat(fake.calls()).as("calls that reached the upstream").isEqualTo(calls);
    }

    @Test
    void aCallPastTheMostAtOnceIsRefusedAtOnceAndTheRestOfTheServerStillAnswers() throws Exception {
        fake.delayMillis = 2_000;
        CompletableFuture<Api.Response> first = CompletableFuture.supplyAsync(this::complete);
        CompletableFuture<Api.Response> second = CompletableFuture.supplyAsync(this::complete);
        CompletableFuture<Api.Response> third = CompletableFuture.supplyAsync(() -> complete(otherKey));
        awaitUpstreamCalls(3);

        // The neighbour is within its share (one of two): it is the node that is full.
        Api.Response refused = complete(otherKey).expect(503);
        JsonNode error = refused.json().path("error");
        assertThat(error.path("type").asString()).isEqualTo("api_error");
        assertThat(error.path("code").asString()).isEqualTo("server_overloaded");
        assertThat(error.path("message").asString()).contains("most calls at once (3)");
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(first).as("refused while the three calls were still waiting for their answers").isNotDone();
        api.get("/api/agents").org(org).as(owner).send().expect(200);

        for (CompletableFuture<Api.Response> call : List.of(first, second, third)) {
            assertThat(call.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        fake.delayMillis = 0;
        complete(otherKey).expect(200);
        assertThat(fake.calls()).as("the refused call never reached the upstream").isEqualTo(4);
        List<JsonNode> log = api.get("/api/gateway/requests").org(otherOrg).as(owner).send().expect(200).items();
        assertThat(log).hasSize(3).filteredOn(r -> r.path("httpStatus").asInt() == 503).singleElement()
                .satisfies(r -> assertThat(r.path("errorCode").asString()).isEqualTo("server_overloaded"));
    }

    @Test
    void anOrgPastItsShareIsRefusedWhileAnotherOrgsAgentsStillFindPlaces() throws Exception {
        fake.delayMillis = 2_000;
        CompletableFuture<Api.Response> first = CompletableFuture.supplyAsync(this::complete);
        CompletableFuture<Api.Response> second = CompletableFuture.supplyAsync(this::complete);
        awaitUpstreamCalls(2);

        Api.Response refused = complete().expect(429);
        JsonNode error = refused.json().path("error");
        assertThat(error.path("type").asString()).isEqualTo("rate_limit_error");
        assertThat(error.path("code").asString()).isEqualTo("too_many_calls_in_progress");
        assertThat(error.path("message").asString())
                .isEqualTo("This organization has 2 gateway calls in progress on this node, the most one organization"
                        + " may have at once; send the call again when one has ended.");
        assertThat(refused.header("Retry-After")).isEqualTo("1");

        CompletableFuture<Api.Response> neighbours = CompletableFuture.supplyAsync(() -> complete(otherKey));
        awaitUpstreamCalls(3);
        assertThat(first).as("the neighbour's call was let in while the org's two were running").isNotDone();
        assertThat(neighbours.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(first.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(second.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);

        fake.delayMillis = 0;
        complete().expect(200);
        List<JsonNode> log = api.get("/api/gateway/requests").org(org).as(owner).send().expect(200).items();
        assertThat(log).hasSize(4).filteredOn(r -> r.path("httpStatus").asInt() == 429).singleElement()
                .satisfies(r -> assertThat(r.path("errorCode").asString()).isEqualTo("too_many_calls_in_progress"));
        assertThat(api.get("/api/gateway/requests").org(otherOrg).as(owner).send().expect(200).items())
                .as("the org's refusal is on its own log only").hasSize(1)
                .allSatisfy(r -> assertThat(r.path("httpStatus").asInt()).isEqualTo(200));
    }

    @Test
    void ofTwelveCallsOfOneOrgAtOnceItsShareIsServedAndTenRefusedEachOnTheRecord() throws Exception {
        // Long enough for all twelve to arrive while the first two still wait for their answers.
        fake.delayMillis = 2_000;
        List<Api.Response> answers = GatewayBudgetTest.concurrently(12, this::complete);

        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(2);
        assertThat(answers).filteredOn(a -> a.status() != 200).hasSize(10).allSatisfy(a -> {
            assertThat(a.status()).as(a.toString()).isEqualTo(429);
            assertThat(a.json().path("error").path("code").asString()).isEqualTo("too_many_calls_in_progress");
        });
        assertThat(fake.calls()).isEqualTo(2);
        assertThat(fake.mostAtOnce.get()).as("calls at the upstream at one time").isEqualTo(2);
        List<JsonNode> log = api.get("/api/gateway/requests?limit=100").org(org).as(owner).send().expect(200).items();
        assertThat(log).hasSize(12).filteredOn(r -> r.path("httpStatus").asInt() == 200).hasSize(2);
    }

    @Test
    void ofTwelveCallsOfTwoOrgsAtOnceTheNodesMostAreServedAndNoOrgPastItsShare() throws Exception {
        fake.delayMillis = 2_000;
        AtomicInteger sent = new AtomicInteger();
        List<String[]> calls = GatewayBudgetTest.concurrently(12, () -> {
            String as = sent.getAndIncrement() % 2 == 0 ? key : otherKey;
            Api.Response answer = complete(as);
            return new String[] {as, String.valueOf(answer.status()), answer.json().path("error").path("code")
                    .asString()};
        });

        assertThat(calls).filteredOn(c -> c[1].equals("200")).hasSize(3);
        for (String asKey : List.of(key, otherKey)) {
            assertThat(calls).filteredOn(c -> c[0].equals(asKey) && c[1].equals("200")).hasSizeBetween(1, 2);
        }
        assertThat(calls).filteredOn(c -> !c[1].equals("200")).hasSize(9).allSatisfy(c -> assertThat(c[1] + " "
                + c[2]).isIn("429 too_many_calls_in_progress", "503 server_overloaded"));
        assertThat(fake.mostAtOnce.get()).as("calls at the upstream at one time").isEqualTo(3);
    }

    @Test
    void gatewayCallsHaveRequestThreadsOnTopOfTomcatsOwn() {
        TomcatWebServer tomcat = (TomcatWebServer) server.getWebServer();
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) tomcat.getTomcat().getConnector().getProtocolHandler();
        assertThat(protocol.getMaxThreads()).isEqualTo(200 + 3);
    }

    @Test
    void aMostThatServesNoCallOrThatNoNodeCouldServeStopsTheServerFromStarting() {
        for (int most : new int[] {0, -1, GatewayCapacity.MOST_CALLS + 1}) {
            assertThatThrownBy(() -> new GatewayCapacity(most, null, 200)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("TENANTRY_GATEWAY_MAX_CALLS must be between 1 and 20000 (gateway calls in flight "
                            + "on this node); it is " + most + ".");
        }
        for (int share : new int[] {0, -1, 5}) {
            assertThatThrownBy(() -> new GatewayCapacity(4, share, 200)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("TENANTRY_GATEWAY_MAX_CALLS_PER_ORG must be between 1 and TENANTRY_GATEWAY_MAX_CALLS "
                            + "(4): the most gateway calls one organization may have in flight on this node; it is "
                            + share + ".");
        }
        assertThat(new GatewayCapacity(GatewayCapacity.MOST_CALLS, null, 200).take(UUID.randomUUID())).isNotNull();
    }

    @Test
    void withoutAShareSetAnOrgTakesHalfTheNodeAndEachEndedCallGivesItsPlaceBack() {
        GatewayCapacity capacity = new GatewayCapacity(4, null, 200);
        UUID busy = UUID.randomUUID();
        GatewayCapacity.Slot first = capacity.take(busy);
        GatewayCapacity.Slot second = capacity.take(busy);
        assertThatThrownBy(() -> capacity.take(busy)).isInstanceOfSatisfying(GatewayError.class,
                e -> assertThat(e.code()).isEqualTo("too_many_calls_in_progress"));
        capacity.take(UUID.randomUUID());
        capacity.take(UUID.randomUUID());
        UUID late = UUID.randomUUID();
        for (int refused = 0; refused < 2; refused++) {
            assertThatThrownBy(() -> capacity.take(late)).isInstanceOfSatisfying(GatewayError.class,
                    e -> assertThat(e.code()).isEqualTo("server_overloaded"));
        }

        first.close();
        assertThat(capacity.take(late)).as("a call the node refused did not count against its org's share")
                .isNotNull();
        second.close();
        capacity.take(busy);
        assertThatThrownBy(() -> capacity.take(busy)).as("the node is full again").isInstanceOf(GatewayError.class);
    }
}
