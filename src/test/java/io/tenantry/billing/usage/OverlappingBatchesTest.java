package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Batches that share events, sent at once in different orders (a client retrying a batch it
 * reordered, on another node), wait for each other: one stores the events, the others are
 * answered as retries. None is turned away for a deadlock between them.
 */
@TenantryTest
class OverlappingBatchesTest extends ServerTest {

    private static final int SENDERS = 4;

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    private static final int ROUNDS = 15;
    private static final int EVENTS = 40;

    @Test
    void batchesSharingEventsInAnotherOrderAreAllAnsweredAndStoreEachEventOnce() throws Exception {
        String org = platform.createOrg("Overlapping batches");
        String key = platform.issueKey(platform.createAgent(org, "Batcher"));
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        CyclicBarrier together = new CyclicBarrier(SENDERS);
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        long expectedOutput = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<Map<String, Object>> events = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    long output = round * 1000L + i + 1;
                    expectedOutput += output;
                    events.add(UsageEvents.event("gpt-4o", 1, output, 0, Instant.now()));
                }
                List<Future<?>> senders = new ArrayList<>();
                for (int sender = 0; sender < SENDERS; sender++) {
                    List<Map<String, Object>> order = new ArrayList<>(events);
                    Collections.shuffle(order, new java.util.Random(round * 31L + sender));
                    if (sender % 2 == 1) {
                        Collections.reverse(order);
                    }
                    senders.add(pool.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        statuses.add(api.post("/agent/v1/usage").as(key).json(Map.of("events", order)).send()
                                .status());
                        return null;
                    }));
                }
                for (Future<?> sender : senders) {
                    sender.get(60, TimeUnit.SECONDS);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(statuses).as("every batch answered as stored or as a retry").hasSize(SENDERS * ROUNDS)
                .containsOnly(201);
        Map<String, Object> stored = transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("select count(*) as events,"
                + " sum(output_tokens) as output from usage_events where org_id = :org")
                .param("org", java.util.UUID.fromString(org)).query().singleRow());
        assertThat(((Number) stored.get("events")).longValue()).isEqualTo((long) ROUNDS * EVENTS);
        assertThat(((Number) stored.get("output")).longValue()).isEqualTo(expectedOutput);
    }
}
