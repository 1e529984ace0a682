package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerProcess;
import tools.jackson.databind.JsonNode;

/**
 * A gateway call is billed even when the server serving it is killed mid-stream. The real
 * server runs as a process of its own, streams a slow answer, and is killed with SIGKILL
 * once the call has run past a few journal intervals; after a restart on the same database
 * the lost-call sweep bills it from its last note (calls run at most 3 s here, so it may
 * once 6 s have passed since the call began), as a cut call marked estimated, and the
 * month's statement shows its tokens. On H2 this is the embedded default's file database.
 */
class GatewayKilledMidCallTest {

    private static final String OWNER_EMAIL = "killed@tenantry.test";
    private static final String OWNER_PASSWORD = "killed owner password";

    private ServerProcess server;
    private FakeUpstream fake;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    /** An organization's agent on a new server, its key, and a route to the fake upstream. */
    record Agent(Api api, String org, String key, UpstreamRoute route) {
    }

    /**
     * A server with {@code settings} started on a fresh database, an organization named
     * {@code name} with an agent, and a route to a fake upstream whose next answer is a slow
     * stream (200 rounds 20 ms apart).
     */
    Agent slowStreamingAgentOfANewServer(String name, Map<String, String> settings) throws Exception {
        MonthEdge.awayFromMidnight();
        fake = new FakeUpstream();
        Map<String, String> environment = new HashMap<>(settings);
        environment.put("TENANTRY_OWNER_EMAIL", OWNER_EMAIL);
        environment.put("TENANTRY_OWNER_PASSWORD", OWNER_PASSWORD);
        server = ServerProcess.on(ServerProcess.freshDatabase(), environment).start();
        Api api = server.api();
        String owner = Platform.login(api, OWNER_EMAIL, OWNER_PASSWORD);
        String org = api.post("/api/organizations").as(owner).json(Map.of("name", name)).send().expect(201).id();
        String agent = api.post("/api/agents").as(owner).org(org).json(Map.of("name", name + " agent")).send()
                .expect(201).id();
        String key = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
        UpstreamRoute route = UpstreamRoute.create(api, owner, fake, name.toLowerCase(), null, Map.of());
        fake.then(FakeUpstream.Mode.SLOW_STREAM);
        return new Agent(api, org, key, route);
    }

    /**
     * A server stopped as an operator stops one (SIGTERM) lets the calls it is serving end as
     * they would have, and bills them as they ended, before it exits; on H2 the database stays
     * open for that (an outside tester found it closed at the signal, the calls' metering failing).
     */
    @Test
    void aCallRunningWhenItsServerIsStoppedEndsAndIsBilledBeforeItExits() throws Exception {
        Agent agent = slowStreamingAgentOfANewServer("Stopped", Map.of());
        Api api = agent.api();
        String org = agent.org();
        String key = agent.key();
        UpstreamRoute route = agent.route();

        CompletableFuture<Api.Response> running = CompletableFuture.supplyAsync(() -> api.post(
                "/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(route.model(), "stream", true))
                .send());
        for (int i = 0; i < 500 && fake.slowChunksSent < 25; i++) {
            Thread.sleep(10);
        }
        assertThat(fake.slowChunksSent).as("streaming").isGreaterThanOrEqualTo(25);
        server.stop();

        Api.Response answer = running.get().expect(200);
        assertThat(answer.body()).as("the stream ran to its end").contains("word199 ").contains("data: [DONE]");
        assertThat(server.log()).as("the database stayed open until the server was done with it")
                .doesNotContain("Database is already closed").doesNotContain("could not be metered");
        server.start();
        String owner = Platform.login(api, OWNER_EMAIL, OWNER_PASSWORD);
        List<JsonNode> log = api.get("/api/gateway/requests").org(org).as(owner).send().expect(200).items();
        assertThat(log).as("billed by the stopping server itself").hasSize(1);
        assertThat(log.get(0).path("status").asString()).isEqualTo("ok");
        assertThat(log.get(0).path("outputTokens").asLong()).as("the whole answer, two tokens a round")
                .isGreaterThanOrEqualTo(400);
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        JsonNode statement = api.get("/api/organizations/" + org + "/billing?month=" + month).as(owner).send()
                .expect(200).json();
        assertThat(statement.path("outputTokens").asLong()).isEqualTo(log.get(0).path("outputTokens").asLong());
    }

    @Test
    void aCallRunningWhenItsServerIsKilledIsBilledAfterTheRestart() throws Exception {
        Agent agent = slowStreamingAgentOfANewServer("Killed", Map.of("TENANTRY_GATEWAY_MAX_CALL_DURATION", "PT3S",
                "TENANTRY_GATEWAY_CALL_JOURNAL_INTERVAL", "PT0.25S", "TENANTRY_GATEWAY_LOST_CALL_SWEEP_INTERVAL",
                "PT1S"));
        Api api = agent.api();
        String org = agent.org();
        String key = agent.key();
        UpstreamRoute route = agent.route();

        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
            try {
                return api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(route.model(),
                        "stream", true)).send().status();
            } catch (IllegalStateException connectionLost) {
                return -1;
            }
        });
        for (int i = 0; i < 500 && fake.slowChunksSent < 75; i++) {
            Thread.sleep(10);
        }
        assertThat(fake.slowChunksSent).as("streamed for a second and a half").isGreaterThanOrEqualTo(75);
        server.kill();
        int sentAtKill = fake.slowChunksSent;
        running.get();

        server.start();
        String owner = Platform.login(api, OWNER_EMAIL, OWNER_PASSWORD);
        List<JsonNode> log = List.of();
        for (int i = 0; i < 120 && log.isEmpty(); i++) {
            Thread.sleep(250);
            log = api.get("/api/gateway/requests").org(org).as(owner).send().expect(200).items();
        }
        assertThat(log).as("the lost call, billed by the sweep after the restart").hasSize(1);
        JsonNode lost = log.get(0);
        assertThat(lost.path("status").asString()).isEqualTo("cut");
        assertThat(lost.path("errorCode").asString()).isEqualTo(LostCallSweep.CODE);
        assertThat(lost.path("estimated").asBoolean()).isTrue();
        assertThat(lost.path("upstreamModel").asString()).isEqualTo(route.upstreamModel());
        assertThat(lost.path("inputTokens").asLong()).as("its prompt").isPositive();
        // Each round of the fake streams "word<i> ", two tokens; the last note is at most an
        // interval (about 12 rounds) and a scheduling delay older than the kill.
        assertThat(lost.path("outputTokens").asLong()).as("what it had streamed by its last note")
                .isBetween(2L * (sentAtKill - 40), 2L * sentAtKill);

        String month = YearMonth.now(ZoneOffset.UTC).toString();
        JsonNode statement = api.get("/api/organizations/" + org + "/billing?month=" + month).as(owner).send()
                .expect(200).json();
        assertThat(statement.path("inputTokens").asLong()).isEqualTo(lost.path("inputTokens").asLong());
        assertThat(statement.path("outputTokens").asLong()).isEqualTo(lost.path("outputTokens").asLong());
    }
}
