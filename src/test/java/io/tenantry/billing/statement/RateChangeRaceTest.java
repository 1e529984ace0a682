package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;

/**
 * A rate is billed as the org or agent shows it, however its changes race. A change is
 * stamped when its request begins, and one begun earlier can commit later: its row then
 * shows its rate while the rate history, ordered by time, put the other change last and
 * billed that one, until the next edit. Each change now comes after the history's last row
 * (jdbc.Timestamps.after, under the row it changes).
 */
@TenantryTest
class RateChangeRaceTest extends ServerTest {

    private static final int EDITORS = 4;
    private static final int ROUNDS = 8;

    private ExecutorService pool;

    @BeforeAll
    void threads() {
        pool = Executors.newFixedThreadPool(EDITORS);
    }

    @AfterAll
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void concurrentEditsOfAnOrgsRateLeaveItBilledAtTheRateItShows() throws Exception {
        String org = platform.createOrg("Rate raced");
        platform.createAgent(org, "Billed");
        for (int round = 0; round < ROUNDS; round++) {
            int base = 100 + round * 10;
            together(EDITORS, editor -> api.patch("/api/organizations/" + org).as(owner)
                    .json(Map.of("billingRatePerAgent", (base + editor) + ".00")).send().expect(200));

            BigDecimal shown = api.get("/api/organizations/" + org).as(owner).send().expect(200).json()
                    .path("billingRatePerAgent").decimalValue();
            assertThat(billed(org).path("revenue").decimalValue()).as("round %d", round).isEqualByComparingTo(shown);
        }
    }

    @Test
    void concurrentEditsOfAnAgentsOverrideLeaveItBilledAtTheOverrideItShows() throws Exception {
        String org = platform.createOrg("Override raced");
        String agent = platform.createAgent(org, "Overridden");
        for (int round = 0; round < ROUNDS; round++) {
            int base = 500 + round * 10;
            together(EDITORS, editor -> api.patch("/api/agents/" + agent).as(owner)
                    .json(Map.of("billingRateOverride", (base + editor) + ".00")).send().expect(200));

            BigDecimal shown = api.get("/api/agents/" + agent).as(owner).send().expect(200).json()
                    .path("billingRateOverride").decimalValue();
            assertThat(billed(org).path("revenue").decimalValue()).as("round %d", round).isEqualByComparingTo(shown);
        }
    }

    /** An override set while its agent moves is billed by the org it arrives in, as the agent shows it. */
    @Test
    void anOverrideSetWhileItsAgentMovesIsBilledWhereItArrives() throws Exception {
        String from = platform.createOrg("Override left");
        String to = platform.createOrg("Override arrived");
        api.patch("/api/organizations/" + from).as(owner).json(Map.of("billingRatePerAgent", "10.00")).send()
                .expect(200);
        api.patch("/api/organizations/" + to).as(owner).json(Map.of("billingRatePerAgent", "20.00")).send()
                .expect(200);
        for (int round = 0; round < ROUNDS; round++) {
            String agent = platform.createAgent(from, "Moving " + round);
            together(2, editor -> {
                if (editor == 0) {
                    api.patch("/api/agents/" + agent).as(owner).json(Map.of("billingRateOverride", "77.00")).send()
                            .expect(200);
                } else {
                    api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to)).send()
                            .expect(200);
                }
            });

            JsonNode shown = api.get("/api/agents/" + agent).as(owner).send().expect(200).json();
            assertThat(shown.path("clientOrgId").asString()).isEqualTo(to);
            BigDecimal line = null;
            for (JsonNode each : billed(to).path("lines")) {
                if (each.path("agentId").asString().equals(agent)) {
                    line = each.path("revenue").decimalValue();
                }
            }
            assertThat(line).as("round %d: the line of %s", round, shown).isNotNull()
                    .isEqualByComparingTo(shown.path("effectiveBillingRate").decimalValue());
        }
    }

    private JsonNode billed(String org) {
        return api.get("/api/organizations/" + org + "/billing?month=" + YearMonth.now(ZoneOffset.UTC)).as(owner)
                .send().expect(200).json();
    }

    /** Runs {@code edit} for editors 0 to {@code count - 1} at once, and waits for all. */
    private void together(int count, java.util.function.IntConsumer edit) throws Exception {
        CyclicBarrier start = new CyclicBarrier(count);
        List<Future<?>> edits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int editor = i;
            edits.add(pool.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                edit.accept(editor);
                return null;
            }));
        }
        for (Future<?> each : edits) {
            each.get(60, TimeUnit.SECONDS);
        }
    }
}
