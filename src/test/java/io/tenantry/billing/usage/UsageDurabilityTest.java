package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerProcess;
import io.tenantry.support.UsageEvents;

/**
 * An acknowledged usage event is durable, even when the server dies with requests in
 * flight. The real server runs as a process of its own while sixteen agents report at
 * once (so reports are being committed together when it dies), and is killed with SIGKILL
 * mid-stream. After a restart on the same database every acknowledged event is there (a
 * re-send is a replay), every event whose answer was lost is stored exactly once when sent
 * again, and the month's statement bills exactly the tokens of all of them: each event's
 * count is its own, so a lost event and a doubled one cannot cancel out. On H2 this is the
 * embedded default's own file database.
 */
class UsageDurabilityTest {

    private static final String OWNER_PASSWORD = "durable owner password";
    private static final int REPORTERS = 16;

    private ServerProcess server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    record Sent(String key, Map<String, Object> event, long tokens, long startedNanos) {
    }

    @Test
    void everyAcknowledgedEventSurvivesAServerKilledMidStream() throws Exception {
        MonthEdge.awayFromMidnight();
        server = ServerProcess.on(ServerProcess.freshDatabase(), Map.of("TENANTRY_OWNER_EMAIL",
                "durable@tenantry.test", "TENANTRY_OWNER_PASSWORD", OWNER_PASSWORD)).start();
        Api api = server.api();
        String owner = Platform.login(api, "durable@tenantry.test", OWNER_PASSWORD);
        String org = api.post("/api/organizations").as(owner).json(Map.of("name", "Durable")).send().expect(201).id();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String agent = api.post("/api/agents").as(owner).org(org).json(Map.of("name", "Durable agent " + i)).send()
                    .expect(201).id();
            keys.add(api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key"));
        }
        ConcurrentLinkedQueue<Sent> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Sent> unanswered = new ConcurrentLinkedQueue<>();
        AtomicLong tokens = new AtomicLong(100);
        AtomicBoolean dead = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(REPORTERS);
        for (int r = 0; r < REPORTERS; r++) {
            String key = keys.get(r % keys.size());
            pool.submit(() -> {
                while (!dead.get()) {
                    long count = tokens.incrementAndGet();
                    Sent sent = new Sent(key, UsageEvents.event("gpt-4o", count, 1, 0, Instant.now()), count,
                            System.nanoTime());
                    try {
                        if (api.post("/agent/v1/usage").as(key).json(sent.event()).send().status() == 201) {
                            acknowledged.add(sent);
                            continue;
                        }
                    } catch (IllegalStateException connectionLost) {
                        // killed while this request was in flight: its outcome is unknown
                    }
                    unanswered.add(sent);
                }
            });
        }
        while (acknowledged.size() < 300) {
            Thread.sleep(20);
        }
        long killedAt = System.nanoTime();
        server.kill();
        dead.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        server.start();
        for (Sent sent : acknowledged) {
            Api.Response again = api.post("/agent/v1/usage").as(sent.key()).json(sent.event()).send().expect(201);
            assertThat(again.header("Idempotent-Replayed")).as("event %s was kept", sent.event().get("eventId"))
                    .isEqualTo("true");
        }
        for (Sent sent : unanswered) {
            api.post("/agent/v1/usage").as(sent.key()).json(sent.event()).send().expect(201);
        }

        long expected = acknowledged.stream().mapToLong(Sent::tokens).sum()
                + unanswered.stream().mapToLong(Sent::tokens).sum();
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        Api.Response statement = api.get("/api/organizations/" + org + "/billing?month=" + month).as(owner).send()
                .expect(200);
        assertThat(unanswered).as("requests were in flight when the server died")
                .anyMatch(sent -> sent.startedNanos() < killedAt);
        assertThat(statement.json().path("inputTokens").asLong()).as("tokens billed").isEqualTo(expected);
        assertThat(statement.json().path("outputTokens").asLong()).as("events billed, one output token each")
                .isEqualTo(acknowledged.size() + unanswered.size());
    }
}
