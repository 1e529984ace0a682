package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

import tools.jackson.databind.JsonNode;

/**
 * Closing a month while usage for it keeps arriving: every acknowledged event is billed
 * exactly once, either in the frozen month or as an adjustment in the first open month.
 * On a database of its own, since closing is platform-wide.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=month-close-race")
class MonthCloseRaceTest extends ServerTest {

    @Test
    void noEventIsLostOrBilledTwiceAcrossAClose() throws Exception {
        YearMonth lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        String org = platform.createOrg("Racing");
        List<String> keys = List.of(platform.issueKey(platform.createAgent(org, "Racer 1")),
                platform.issueKey(platform.createAgent(org, "Racer 2")));
        AtomicBoolean closed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> reporters = new ArrayList<>();
        for (int thread = 0; thread < 6; thread++) {
            String key = keys.get(thread % 2);
            reporters.add(pool.submit(() -> {
                int acknowledged = 0;
                // Keep reporting until well after the close has gone through.
                for (int sent = 0; sent < 400 && (sent < 40 || !closed.get() || sent % 40 != 0); sent++) {
                    Map<String, Object> event = UsageEvents.event("gpt-4o", 1_000_000, 0, 0,
                            lastMonth.atDay(15).atStartOfDay().toInstant(ZoneOffset.UTC));
                    if (api.post("/agent/v1/usage").as(key).json(event).send().status() == 201) {
                        acknowledged++;
                    }
                }
                return acknowledged;
            }));
        }
        Thread.sleep(300);
        api.post("/api/billing/close").as(owner).json(Map.of("month", lastMonth.toString())).send().expect(200);
        closed.set(true);
        int acknowledged = 0;
        for (Future<Integer> reporter : reporters) {
            acknowledged += reporter.get();
        }
        pool.shutdown();

        JsonNode frozen = api.get("/api/organizations/" + org + "/billing?month=" + lastMonth).as(owner).send()
                .expect(200).json();
        JsonNode open = api.get("/api/organizations/" + org + "/billing?month=" + lastMonth.plusMonths(1)).as(owner)
                .send().expect(200).json();
        BigDecimal adjustments = BigDecimal.ZERO;
        for (JsonNode line : open.path("lines")) {
            if (line.path("kind").asString().equals("adjustment")) {
                assertThat(line.path("usageMonth").asString()).isEqualTo(lastMonth.toString());
                adjustments = adjustments.add(line.path("costUsd").decimalValue());
            }
        }
        // Each event: 1,000,000 input tokens of gpt-4o at 2.50 per million.
        BigDecimal expected = new BigDecimal("2.50").multiply(BigDecimal.valueOf(acknowledged));
        assertThat(frozen.path("closed").asBoolean()).isTrue();
        assertThat(frozen.path("costUsd").decimalValue()).as("billed in the closed month").isPositive();
        assertThat(adjustments).as("billed late, as adjustments").isPositive();
        assertThat(frozen.path("costUsd").decimalValue().add(adjustments)).isEqualByComparingTo(expected);
    }
}
