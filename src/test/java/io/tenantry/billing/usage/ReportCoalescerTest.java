package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

/**
 * Single-event reports arriving together share a transaction: every caller still gets its
 * own answer (stored, replayed, or 409 for a reused id), and nothing is lost or doubled.
 */
@TenantryTest
class ReportCoalescerTest extends ServerTest {

    @Test
    void concurrentSingleEventsEachGetTheirOwnAnswerAndAreStoredOnce() throws Exception {
        String org = platform.createOrg("Busy");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            keys.add(platform.issueKey(platform.createAgent(org, "Chatty " + i)));
        }
        record Call(String key, Map<String, Object> event) {
        }
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            calls.add(new Call(keys.get(i % keys.size()), UsageEvents.event("gpt-4o", 1_000 + i, 100, 0,
                    Instant.now())));
        }
        List<Call> retries = new ArrayList<>();
        List<Call> clashes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Call original = calls.get(i * 7);
            retries.add(new Call(original.key(), original.event()));
            Map<String, Object> other = new java.util.HashMap<>(calls.get(i * 7 + 1).event());
            other.put("inputTokens", 999_999);
            clashes.add(new Call(calls.get(i * 7 + 1).key(), other));
        }
        List<Call> all = new ArrayList<>(calls);
        all.addAll(retries);
        all.addAll(clashes);
        java.util.Collections.shuffle(all, new java.util.Random(7));

        ExecutorService pool = Executors.newFixedThreadPool(24);
        List<Future<Api.Response>> answers = new ArrayList<>();
        for (Call call : all) {
            Callable<Api.Response> send = () -> api.post("/agent/v1/usage").as(call.key()).json(call.event()).send();
            answers.add(pool.submit(send));
        }
        Map<Object, List<Api.Response>> byEventId = new java.util.HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            byEventId.computeIfAbsent(all.get(i).event().get("eventId"), k -> new ArrayList<>())
                    .add(answers.get(i).get());
        }
        pool.shutdown();

        for (List<Api.Response> responses : byEventId.values()) {
            List<Integer> statuses = responses.stream().map(Api.Response::status).sorted().toList();
            assertThat(statuses).as(responses.toString()).isIn(List.of(201), List.of(201, 201), List.of(201, 409));
            if (statuses.equals(List.of(201, 201))) {
                assertThat(responses.get(0).json()).isEqualTo(responses.get(1).json());
                assertThat(responses.stream().filter(r -> "true".equals(r.header("Idempotent-Replayed")))).hasSize(1);
            }
        }
        // Whichever of a clashing pair came first was stored; the statement counts each stored event once.
        long expectedInput = 0;
        for (List<Api.Response> responses : byEventId.values()) {
            expectedInput += responses.stream().filter(r -> r.status() == 201).findFirst().orElseThrow().json()
                    .path("inputTokens").asLong();
        }
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        Api.Response statement = api.get("/api/organizations/" + org + "/billing?month=" + month).as(owner).send()
                .expect(200);
        assertThat(statement.json().path("inputTokens").asLong()).isEqualTo(expectedInput);
        assertThat(statement.json().path("outputTokens").asLong()).as("80 events stored, 100 output tokens each")
                .isEqualTo(80 * 100);
    }
}
