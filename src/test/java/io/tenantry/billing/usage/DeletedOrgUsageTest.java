package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Usage of an org that has been deleted can be billed to no one: no open month counts a
 * deleted org, and its closed months never change. So it is refused, or left unpriced by a
 * rerate, rather than stored where no bill shows it. On a database of its own, since one
 * test closes last month (closed months are platform-wide).
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=deleted-orgs",
        "tenantry.gateway.max-call-duration=PT0.2S"})
class DeletedOrgUsageTest extends ServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    long count(String table, String orgId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc
                .sql("select count(*) from " + table + " where org_id = :org").param("org", UUID.fromString(orgId))
                .query(Long.class).single());
    }

    Api.Response importUsage(String agent, String model, Instant at) {
        return api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event(model, 1_000, 10, 0,
                at), agent)).send();
    }

    /** An org at no rate that held the agent a moment and bills nothing, so it can be deleted. */
    record PastHolder(String org, String agent, Instant held) {
    }

    PastHolder heldThenMovedAway() throws InterruptedException {
        String org = platform.createOrg("Brief holder");
        String agent = platform.createAgent(org, "Passing through");
        Thread.sleep(20);
        Instant held = Instant.now();
        Thread.sleep(20);
        api.post("/api/agents/" + agent + "/unassign-org").as(owner).send().expect(200);
        waitOutCallsBegunThere();
        return new PastHolder(org, agent, held);
    }

    /**
     * An org an agent left stays undeletable while a gateway call the agent began there may
     * still be billed to it: as long as a call may run (0.2 s here), and as long again.
     */
    static void waitOutCallsBegunThere() throws InterruptedException {
        Thread.sleep(500);
    }

    @Test
    void usageOfADeletedOrgsTimeIsRefusedAndStoresNothing() throws Exception {
        MonthEdge.awayFromMidnight();
        PastHolder past = heldThenMovedAway();
        api.delete("/api/organizations/" + past.org()).as(owner).send().expect(204);

        Api.Response refused = importUsage(past.agent(), "gpt-4o", past.held());

        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.text("detail")).contains("has been deleted");
        assertThat(count("usage_events", past.org())).isZero();
        assertThat(count("usage_rollups", past.org())).isZero();
        // The agent's time in the org it is in now is billed as always.
        importUsage(past.agent(), "gpt-4o", Instant.now()).expect(201);
    }

    /**
     * A deleted agent's usage, reported late, is billed to the org that last held it while
     * that org exists: a late event is cost, not noise. Once that org is deleted too, it is refused.
     */
    @Test
    void aDeletedAgentsLateUsageIsBilledToItsLastOrgUntilThatOrgIsDeleted() throws InterruptedException {
        MonthEdge.awayFromMidnight();
        String org = platform.createOrg("Last holder");
        String agent = platform.createAgent(org, "Retired");
        api.delete("/api/agents/" + agent).as(owner).send().expect(204);

        importUsage(agent, "gpt-4o", Instant.now()).expect(201);
        assertThat(count("usage_events", org)).isEqualTo(1);

        api.delete("/api/organizations/" + org).as(owner).send().expect(409);
        String emptied = platform.createOrg("Emptied");
        String gone = platform.createAgent(emptied, "Gone too");
        api.delete("/api/agents/" + gone).as(owner).send().expect(204);
        waitOutCallsBegunThere();
        api.delete("/api/organizations/" + emptied).as(owner).send().expect(204);
        Api.Response refused = importUsage(gone, "gpt-4o", Instant.now());
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(count("usage_events", emptied)).isZero();
    }

    /**
     * A delete and imports into the org's time, sent at once: either the delete lands and
     * every import is refused, or the imports land and the delete is refused because the org
     * is now billed. Never both.
     */
    @Test
    void aDeleteAndUsageForTheOrgSentAtOnceNeverBothLand() throws Exception {
        MonthEdge.awayFromMidnight();
        ExecutorService pool = Executors.newFixedThreadPool(7);
        try {
            for (int round = 0; round < 6; round++) {
                PastHolder past = heldThenMovedAway();
                CyclicBarrier together = new CyclicBarrier(7);
                Future<Api.Response> delete = pool.submit(() -> {
                    together.await();
                    return api.delete("/api/organizations/" + past.org()).as(owner).send();
                });
                List<Future<Api.Response>> imports = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    imports.add(pool.submit(() -> {
                        together.await();
                        return importUsage(past.agent(), "gpt-4o", past.held());
                    }));
                }
                int deleted = delete.get().status();
                int stored = 0;
                for (Future<Api.Response> answer : imports) {
                    int status = answer.get().status();
                    assertThat(status).as(answer.get().toString()).isIn(201, 409);
                    stored += status == 201 ? 1 : 0;
                }
                assertThat(deleted).as(delete.get().toString()).isIn(204, 409);
                assertThat(count("usage_events", past.org())).as("round " + round).isEqualTo(stored);
                if (deleted == 204) {
                    assertThat(stored).as("round " + round + ": usage stored for a deleted org").isZero();
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRerateLeavesADeletedOrgsUsageUnpricedAndBillsNoOne() throws Exception {
        MonthEdge.awayFromMidnight();
        YearMonth lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        Instant inLastMonth = lastMonth.atDay(10).atTime(10, 0).toInstant(ZoneOffset.UTC);
        String model = "priced-late-" + UUID.randomUUID().toString().substring(0, 8);
        String gone = platform.createOrg("Closed and gone");
        String goneAgent = platform.createAgent(gone, "Early");
        String kept = platform.createOrg("Closed and kept");
        String keptAgent = platform.createAgent(kept, "Early too");
        // Reported for last month, before the agents existed: each belongs to the org it was created in.
        Map<String, Object> goneUsage = UsageEvents.withAgent(UsageEvents.event(model, 1_000, 10, 0, inLastMonth),
                goneAgent);
        Api.Response first = api.post("/api/usage").as(owner).json(goneUsage).send().expect(201);
        importUsage(keptAgent, model, inLastMonth).expect(201);
        Api.Response close = api.post("/api/billing/close").as(owner).json(Map.of("month", lastMonth.toString()))
                .send();
        assertThat(close.status()).as(close.toString()).isIn(200, 201, 409);
        api.post("/api/agents/" + goneAgent + "/unassign-org").as(owner).send().expect(200);
        waitOutCallsBegunThere();
        api.delete("/api/organizations/" + gone).as(owner).send().expect(204);
        // A retry stores nothing, so the org its event was billed to being gone since changes nothing.
        Api.Response retried = api.post("/api/usage").as(owner).json(goneUsage).send();
        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.body()).isEqualTo(first.body());
        long goneRollups = count("usage_rollups", gone);
        long keptRollups = count("usage_rollups", kept);
        api.post("/api/settings/models").as(owner).json(Map.of("model", model, "provider", "Late",
                "inputPricePerMillion", 1000, "outputPricePerMillion", 1000)).send().expect(201);

        Api.Response rerate = api.post("/api/billing/rerate").as(owner).json(Map.of("model", model,
                "from", lastMonth.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString(),
                "to", Instant.now().toString())).send().expect(200);

        assertThat(rerate.json().path("priced").asInt()).isEqualTo(1);
        assertThat(rerate.json().path("leftUnpriced").asLong()).isEqualTo(1);
        assertThat(count("usage_rollups", gone)).as("no adjustment for the deleted org").isEqualTo(goneRollups);
        assertThat(count("usage_rollups", kept)).as("the kept org's adjustment").isGreaterThan(keptRollups);
        // 1,010 tokens at 1,000 per million: the kept org pays 1.01 in this month, as an adjustment.
        assertThat(api.get("/api/organizations/" + kept + "/billing?month=" + YearMonth.now(ZoneOffset.UTC))
                .as(owner).send().expect(200).json().path("costUsd").decimalValue()).isEqualByComparingTo("1.01");
    }
}
