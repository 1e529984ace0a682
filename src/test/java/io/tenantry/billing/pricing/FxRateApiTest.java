package io.tenantry.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;

import tools.jackson.databind.JsonNode;

@TenantryTest
class FxRateApiTest extends ServerTest {

    /** A month far ahead, so tests sharing the database do not meet. */
    static String futureMonth() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return random.nextInt(2100, 2200) + "-" + String.format("%02d", random.nextInt(1, 13));
    }

    Api.Response put(String token, Object currency, Object rate, Object month) {
        Map<String, Object> body = new HashMap<>();
        body.put("currency", currency);
        body.put("rate", rate);
        body.put("effectiveFrom", month);
        return api.put("/api/settings/fx-rates").as(token).json(body).send();
    }

    List<JsonNode> entries(String currency, String month) {
        return api.get("/api/settings/fx-rates").as(owner).send().expect(200).json().path("entries").valueStream()
                .filter(e -> e.path("currency").asString().equals(currency)
                        && e.path("effectiveFrom").asString().equals(month))
                .toList();
    }

    @Test
    void aRateHoldsFromItsMonthAndTheCurrentOneIsShownPerCurrency() {
        // This month: never closed, which an earlier one may be by another test.
        put(owner, "NGN", "1523.5", YearMonth.now(ZoneOffset.UTC).toString()).expect(200);
        String later = futureMonth();
        put(owner, "NGN", "1700", later).expect(200);

        JsonNode table = api.get("/api/settings/fx-rates").as(owner).send().expect(200).json();

        assertThat(table.path("base").asString()).isEqualTo("USD");
        JsonNode ngn = table.path("current").valueStream()
                .filter(c -> c.path("currency").asString().equals("NGN")).findFirst().orElseThrow();
        assertThat(ngn.path("effectiveFrom").asString()).isLessThan(later);
        assertThat(entries("NGN", later)).singleElement()
                .satisfies(e -> assertThat(e.path("rate").asString()).isEqualTo("1700.00000000"));
    }

    @Test
    void settingAMonthAgainReplacesItAndIsAuditedWithBeforeAndAfter() {
        String month = futureMonth();
        put(owner, "EUR", "0.92", month).expect(200);
        put(owner, "EUR", "0.93", month).expect(200);

        assertThat(entries("EUR", month)).singleElement()
                .satisfies(e -> assertThat(e.path("rate").asString()).isEqualTo("0.93000000"));
        JsonNode event = api.get("/api/audit?action=fx_rate.set&limit=500").as(owner).org(DefaultOrg.ID).send()
                .expect(200).items().stream().filter(e -> e.path("targetId").asString().equals("EUR@" + month))
                .filter(e -> !e.path("before").isNull()).findFirst().orElseThrow();
        assertThat(event.path("before").path("rate").asString()).isEqualTo("0.92000000");
        assertThat(event.path("after").path("rate").asString()).isEqualTo("0.93000000");
    }

    /** Ten sets of one new month at once: each found it absent, and all but one failed on the insert (409). */
    @Test
    void setsOfOneMonthAtOnceAllSucceedAndTheLogChainsThem() throws Exception {
        String month = futureMonth();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<java.util.concurrent.Future<Api.Response>> sets = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String rate = "0.9" + i;
                sets.add(pool.submit(() -> put(owner, "GBP", rate, month)));
            }
            for (java.util.concurrent.Future<Api.Response> set : sets) {
                set.get().expect(200);
            }
        } finally {
            pool.shutdown();
        }

        assertThat(entries("GBP", month)).hasSize(1);
        List<JsonNode> events = api.get("/api/audit?action=fx_rate.set&limit=500").as(owner).org(DefaultOrg.ID)
                .send().expect(200).items().stream().filter(e -> e.path("targetId").asString().equals("GBP@" + month))
                .toList();
        assertThat(events).hasSize(10);
        assertThat(events).filteredOn(e -> e.path("before").isNull()).as("one set made it").hasSize(1);
    }

    @Test
    void badRatesAreRefusedWithAProblemNamingTheField() {
        String month = futureMonth();
        record Bad(Object currency, Object rate, Object month, String field) {
        }
        for (Bad bad : List.of(new Bad("USD", 1, month, "currency"), new Bad("XYZ", 1, month, "currency"),
                new Bad(null, 1, month, "currency"), new Bad("GBP", 0, month, "rate"),
                new Bad("GBP", -1, month, "rate"), new Bad("GBP", "cheap", month, "rate"),
                new Bad("GBP", "0.123456789", month, "rate"), new Bad("GBP", null, month, "rate"),
                new Bad("GBP", 1, "2026-13", "effectiveFrom"), new Bad("GBP", 1, "November", "effectiveFrom"),
                new Bad("GBP", 1, null, "effectiveFrom"), new Bad("GBP", 1, "1999-12", "effectiveFrom"))) {
            Api.Response response = put(owner, bad.currency(), bad.rate(), bad.month());
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.text("field")).as(response.toString()).isEqualTo(bad.field());
        }
        api.put("/api/settings/fx-rates").as(owner).raw("{\"rate\":").send().expect(400);
        assertThat(entries("GBP", month)).isEmpty();
    }

    /** A rate converts what the agency pays: reading one needs costs, whatever page would show it. */
    @Test
    void readingNeedsCostsAndSettingNeedsAnOperator() {
        String reader = platform.createUser("user", null, List.of("billing", "costs"));
        String settingsAlone = platform.createUser("user", null, List.of("settings", "billing"));
        String month = futureMonth();

        api.get("/api/settings/fx-rates").as(reader).send().expect(200);
        assertThat(api.get("/api/settings/fx-rates").as(settingsAlone).send().expect(403).text("detail"))
                .contains("costs");
        put(reader, "AUD", "1.5", month).expect(403);

        assertThat(entries("AUD", month)).isEmpty();
    }
}
