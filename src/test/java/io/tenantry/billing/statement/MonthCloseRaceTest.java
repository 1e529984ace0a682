package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import tools.jackson.databind.JsonNode;

import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Closing a month while late usage for it keeps arriving: every acknowledged event is billed
 * exactly once, in the frozen month or as an adjustment in the first open month. Each event
 * has a token count of its own, so a lost event and a doubled one cannot cancel out. The
 * close is held open, with the rollup lock taken, while a wave of reports is sent; those
 * reports must come out as adjustments, the ones acknowledged before it in the frozen month.
 * On a database of its own, since closing is platform-wide. Agents report through the agent
 * API (and its group commit): their keys and their joining the org are moved two months
 * back, and the lateness window made long enough, so they may report last month's usage.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=month-close-race", "tenantry.usage.max-lateness=P62D"})
class MonthCloseRaceTest extends ServerTest {

    private static final int REPORTERS = 6;
    private static final int PER_WAVE = 25;

    @MockitoSpyBean
    UsageTotals usageTotals;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ScopedTransactions transactions;

    private final AtomicLong tokens = new AtomicLong(1_000);

    @Test
    void everyAcknowledgedEventIsBilledExactlyOnceAcrossAClose() throws Exception {
        YearMonth lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        Instant inLastMonth = lastMonth.atDay(15).atStartOfDay().toInstant(ZoneOffset.UTC);
        String org = platform.createOrg("Racing");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            keys.add(platform.issueKey(platform.createAgent(org, "Racer " + i)));
        }
        java.time.OffsetDateTime longAgo = java.time.OffsetDateTime.now(ZoneOffset.UTC).minusDays(62);
        transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("update agent_keys set created_at = :at").param("at", longAgo).update();
            jdbc.sql("update agent_assignments set assigned_at = :at").param("at", longAgo).update();
        });
        CountDownLatch closeHoldsTheLock = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        doAnswer(call -> {
            closeHoldsTheLock.countDown();
            assertThat(release.await(60, TimeUnit.SECONDS)).as("released").isTrue();
            return call.callRealMethod();
        }).when(usageTotals).firstUsageMonth(any());
        ExecutorService pool = Executors.newFixedThreadPool(REPORTERS + 1);

        long beforeClose = wave(pool, keys, inLastMonth);
        Future<Api.Response> close = pool.submit(() -> api.post("/api/billing/close").as(owner)
                .json(Map.of("month", lastMonth.toString())).send());
        assertThat(closeHoldsTheLock.await(30, TimeUnit.SECONDS)).as("the close took the rollup lock").isTrue();
        CompletableFuture<Long> duringClose = CompletableFuture.supplyAsync(() -> wave(pool, keys, inLastMonth));
        Thread.sleep(Duration.ofMillis(500).toMillis());
        release.countDown();
        close.get().expect(200);
        long during = duringClose.get();
        long afterClose = wave(pool, keys, inLastMonth);
        pool.shutdown();

        JsonNode frozen = api.get("/api/organizations/" + org + "/billing?month=" + lastMonth).as(owner).send()
                .expect(200).json();
        JsonNode open = api.get("/api/organizations/" + org + "/billing?month=" + lastMonth.plusMonths(1)).as(owner)
                .send().expect(200).json();
        long adjusted = 0;
        for (JsonNode line : open.path("lines")) {
            if (line.path("kind").asString().equals("adjustment")) {
                assertThat(line.path("usageMonth").asString()).isEqualTo(lastMonth.toString());
                adjusted += line.path("inputTokens").asLong();
            }
        }
        assertThat(frozen.path("closed").asBoolean()).isTrue();
        assertThat(frozen.path("inputTokens").asLong()).as("acknowledged before the close, frozen with the month")
                .isEqualTo(beforeClose);
        assertThat(adjusted).as("sent while the close held the lock, and after it: adjustments")
                .isEqualTo(during + afterClose);
        assertThat(open.path("inputTokens").asLong()).as("the open month bills the adjustments").isEqualTo(adjusted);
    }

    /**
     * Each reporter sends {@value #PER_WAVE} events, each with a token count no other event
     * has, retrying an event (under the same id) until it is acknowledged. Answers the sum of
     * the tokens acknowledged.
     */
    private long wave(ExecutorService pool, List<String> keys, Instant at) {
        List<Future<Long>> reporters = new ArrayList<>();
        for (int r = 0; r < REPORTERS; r++) {
            String key = keys.get(r % keys.size());
            reporters.add(pool.submit(() -> {
                long sum = 0;
                for (int i = 0; i < PER_WAVE; i++) {
                    long count = tokens.incrementAndGet();
                    Map<String, Object> event = UsageEvents.event("gpt-4o", count, 0, 0, at);
                    acknowledged(key, event);
                    sum += count;
                }
                return sum;
            }));
        }
        long total = 0;
        for (Future<Long> reporter : reporters) {
            try {
                total += reporter.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("a reporter failed", e);
            }
        }
        return total;
    }

    private void acknowledged(String key, Map<String, Object> event) {
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                if (api.post("/agent/v1/usage").as(key).json(event).send().status() == 201) {
                    return;
                }
            } catch (IllegalStateException retried) {
                // the connection failed: the same event id is sent again
            }
        }
        throw new AssertionError("event " + event.get("eventId") + " was never acknowledged");
    }
}
