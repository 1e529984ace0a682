package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import tools.jackson.databind.JsonNode;

/**
 * Usage reported while its agent moves between orgs is billed to the org the assignment
 * history names at the event's time, also for events stamped on arrival in the moment a
 * move is committing (agent.AssignmentLock): the move is stamped after the usage being
 * stored, and usage stored after it reads it.
 */
@TenantryTest
class MoveDuringReportsTest extends ServerTest {

    private static final int REPORTERS = 6;
    private static final int MOVES = 10;

    @Test
    void eventsReportedDuringMovesAreBilledToTheOrgThatHeldTheAgentAtTheirTime() throws Exception {
        String first = platform.createOrg("Before the move");
        String second = platform.createOrg("After the move");
        String agent = platform.createAgent(first, "Mover");
        String key = platform.issueKey(agent);
        Queue<Instant> stored = new ConcurrentLinkedQueue<>();
        Queue<Api.Response> refused = new ConcurrentLinkedQueue<>();
        AtomicBoolean moving = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(REPORTERS);
        List<Future<?>> reporters = new ArrayList<>();
        for (int i = 0; i < REPORTERS; i++) {
            reporters.add(pool.submit(() -> {
                while (moving.get()) {
                    // No occurredAt: the event happens on arrival, the case a move can overtake.
                    Map<String, Object> event = new java.util.HashMap<>(UsageEvents.event("gpt-4o", 1, 0, 0,
                            Instant.now()));
                    event.remove("occurredAt");
                    Api.Response answer = api.post("/agent/v1/usage").as(key).json(event).send();
                    if (answer.status() == 201) {
                        stored.add(Instant.parse(answer.text("occurredAt")));
                    } else {
                        refused.add(answer);
                    }
                }
            }));
        }
        for (int move = 0; move < MOVES; move++) {
            Thread.sleep(120);
            api.post("/api/agents/" + agent + "/assign-org").as(owner)
                    .json(Map.of("orgId", move % 2 == 0 ? second : first)).send().expect(200);
        }
        Thread.sleep(120);
        moving.set(false);
        for (Future<?> reporter : reporters) {
            reporter.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<JsonNode> history = new ArrayList<>(api.get("/api/agents/" + agent + "/assignments?limit=100").as(owner)
                .send().expect(200).items());
        history.sort(java.util.Comparator.comparing(entry -> Instant.parse(entry.path("assignedAt").asString())));
        assertThat(history).hasSize(MOVES + 1);
        long inFirst = 0;
        long inSecond = 0;
        for (Instant at : stored) {
            String holder = null;
            for (JsonNode entry : history) {
                if (!Instant.parse(entry.path("assignedAt").asString()).isAfter(at)) {
                    holder = entry.path("toOrgId").asString();
                }
            }
            if (first.equals(holder)) {
                inFirst++;
            } else if (second.equals(holder)) {
                inSecond++;
            }
        }
        assertThat(refused).isEmpty();
        assertThat(inFirst + inSecond).isEqualTo(stored.size());
        assertThat(inFirst).isPositive();
        assertThat(inSecond).isPositive();
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        assertThat(tokensBilled(first, month)).isEqualTo(inFirst);
        assertThat(tokensBilled(second, month)).isEqualTo(inSecond);
    }

    private long tokensBilled(String org, YearMonth month) {
        return api.get("/api/organizations/" + org + "/billing?month=" + month).as(owner).send().expect(200).json()
                .path("inputTokens").asLong();
    }
}
