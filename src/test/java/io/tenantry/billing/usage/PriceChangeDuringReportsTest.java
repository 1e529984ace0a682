package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
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
import io.tenantry.tenancy.DefaultOrg;
import tools.jackson.databind.JsonNode;

/**
 * Usage reported while its model's price changes is priced at the price the price list says
 * was in force at the event's time, also for events stamped on arrival in the moment a new
 * price is committing (agent.AssignmentLock): a price taking effect now is stamped after the
 * usage being stored, and usage stored after it reads it. Before, a price took effect from
 * when its request began, and events stored while it committed kept the old price for good
 * (a rerate prices only unpriced usage).
 */
@TenantryTest
class PriceChangeDuringReportsTest extends ServerTest {

    private static final int REPORTERS = 4;
    private static final int CHANGES = 10;
    private static final long TOKENS = 1_000_000;

    @Test
    void eventsReportedDuringPriceChangesArePricedAtThePriceInForceAtTheirTime() throws Exception {
        String model = "race-" + UUID.randomUUID().toString().substring(0, 8);
        setPrice(model, 1);
        String org = platform.createOrg("Priced while reporting");
        String key = platform.issueKey(platform.createAgent(org, "Reporter"));
        Queue<JsonNode> receipts = new ConcurrentLinkedQueue<>();
        Queue<Api.Response> refused = new ConcurrentLinkedQueue<>();
        AtomicBoolean changing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(REPORTERS);
        List<Future<?>> reporters = new ArrayList<>();
        for (int i = 0; i < REPORTERS; i++) {
            reporters.add(pool.submit(() -> {
                while (changing.get()) {
                    // No occurredAt: the event happens on arrival, the case a price change can overtake.
                    Map<String, Object> event = new java.util.HashMap<>(UsageEvents.event(model, TOKENS, 0, 0,
                            Instant.now()));
                    event.remove("occurredAt");
                    Api.Response answer = api.post("/agent/v1/usage").as(key).json(event).send();
                    if (answer.status() == 201) {
                        receipts.add(answer.json());
                    } else {
                        refused.add(answer);
                    }
                }
            }));
        }
        for (int change = 0; change < CHANGES; change++) {
            Thread.sleep(100);
            setPrice(model, change + 2);
        }
        Thread.sleep(100);
        changing.set(false);
        for (Future<?> reporter : reporters) {
            reporter.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<JsonNode> versions = new ArrayList<>(api.get("/api/settings/models/" + model + "/history?limit=100")
                .as(owner).send().expect(200).items());
        versions.sort(Comparator.comparing(version -> Instant.parse(version.path("effectiveFrom").asString())));
        assertThat(versions).hasSize(CHANGES + 1);
        assertThat(refused).isEmpty();
        assertThat(receipts).hasSizeGreaterThan(CHANGES);
        List<String> mispriced = new ArrayList<>();
        for (JsonNode receipt : receipts) {
            Instant at = Instant.parse(receipt.path("occurredAt").asString());
            BigDecimal inForce = null;
            for (JsonNode version : versions) {
                if (!Instant.parse(version.path("effectiveFrom").asString()).isAfter(at)) {
                    inForce = version.path("inputPricePerMillion").decimalValue();
                }
            }
            BigDecimal charged = receipt.path("costUsd").decimalValue();
            if (inForce == null || charged.compareTo(inForce) != 0) {
                mispriced.add(at + " charged " + charged + ", in force " + inForce);
            }
        }
        assertThat(mispriced).as("of %s events", receipts.size()).isEmpty();
    }

    /**
     * A price and a move both wait for usage being stored, and a move into or out of the
     * default org also updates that org's row, which a price change locks: taken in the same
     * order, the two never wait for each other in a circle.
     */
    @Test
    void pricesChangingWhileAgentsMoveThroughTheDefaultOrgAllGoThrough() throws Exception {
        String model = "moved-" + UUID.randomUUID().toString().substring(0, 8);
        setPrice(model, 1);
        String org = platform.createOrg("Beside the default");
        String agent = platform.createAgent(org, "Through the default");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String to = round % 2 == 0 ? DefaultOrg.ID.toString() : org;
                int price = round + 2;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Integer> priced = pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return priceAnswer(model, price);
                });
                Future<Integer> moved = pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to))
                            .send().status();
                });
                assertThat(priced.get(60, TimeUnit.SECONDS)).as("round %d: the price", round).isEqualTo(201);
                assertThat(moved.get(60, TimeUnit.SECONDS)).as("round %d: the move", round).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void setPrice(String model, int inputPerMillion) {
        assertThat(priceAnswer(model, inputPerMillion)).isEqualTo(201);
    }

    private int priceAnswer(String model, int inputPerMillion) {
        return api.post("/api/settings/models").as(owner).json(Map.of("model", model, "provider", "test",
                "inputPricePerMillion", String.valueOf(inputPerMillion), "outputPricePerMillion", "0")).send()
                .status();
    }
}
