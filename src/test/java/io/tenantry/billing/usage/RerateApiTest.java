package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

@TenantryTest
class RerateApiTest extends ServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    String costOf(String eventId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc
                .sql("select cost_usd from usage_events where event_id = :id").param("id", eventId)
                .query(java.math.BigDecimal.class).optional().map(java.math.BigDecimal::toPlainString).orElse(null));
    }

    Map<String, Object> window() {
        return Map.of("from", Instant.now().minus(1, ChronoUnit.HOURS).toString(), "to",
                Instant.now().plus(1, ChronoUnit.HOURS).toString());
    }

    @Test
    void unpricedUsageIsPricedOnceAPriceExistsExactlyAndOnlyOnce() {
        String model = "late-priced-" + UUID.randomUUID().toString().substring(0, 6);
        String org = platform.createOrg("Rerated");
        String key = platform.issueKey(platform.createAgent(org, "Early adopter"));
        Map<String, Object> big = UsageEvents.event(model, 1_000_000, 500_000, 0, Instant.now());
        Map<String, Object> odd = UsageEvents.event(model, 123_457, 77, 1_001, Instant.now());
        api.post("/agent/v1/usage").as(key).json(Map.of("events", List.of(big, odd))).send().expect(201);
        Map<String, Object> request = new java.util.HashMap<>(window());
        request.put("model", model);

        assertThat(api.post("/api/billing/rerate").as(owner).json(request).send().expect(409).text("detail"))
                .contains("no price yet");
        // Prices with decimals: H2 once took a bound price for a whole number, as the token count it multiplies.
        api.post("/api/settings/models").as(owner).json(Map.of("model", model, "provider", "Late",
                "inputPricePerMillion", "2.123456", "outputPricePerMillion", "4.5", "cachedInputPricePerMillion",
                "0.654321")).send().expect(201);
        Api.Response first = api.post("/api/billing/rerate").as(owner).json(request).send().expect(200);
        Api.Response second = api.post("/api/billing/rerate").as(owner).json(request).send().expect(200);

        assertThat(first.json().path("priced").asInt()).isEqualTo(2);
        assertThat(second.json().path("priced").asInt()).isZero();
        // (1,000,000 x 2.123456 + 500,000 x 4.5) / 1,000,000 and
        // (123,457 x 2.123456 + 1,001 x 0.654321 + 77 x 4.5) / 1,000,000
        assertThat(costOf((String) big.get("eventId"))).isEqualTo("4.373456000000");
        assertThat(costOf((String) odd.get("eventId"))).isEqualTo("0.263156982713");
        Api.Response replay = api.post("/agent/v1/usage").as(key).json(odd).send().expect(201);
        assertThat(replay.text("costUsd")).isEqualTo("0.263156982713");
        assertThat(api.get("/api/organizations/" + org + "/billing").as(owner).send().expect(200).json()
                .path("costUsd").decimalValue()).as("the statement bills what the events' receipts say")
                .isEqualByComparingTo("4.636612982713");
        assertThat(api.get("/api/audit?action=usage.rerated&limit=500").as(owner).org(DefaultOrg.ID).send().body())
                .contains(model);
    }

    @Test
    void rerateNeedsAnOperatorAndAClearRequest() {
        String billingUser = platform.createUser("user", null, List.of("billing"));
        Map<String, Object> valid = new java.util.HashMap<>(window());
        valid.put("model", "gpt-4o");

        api.post("/api/billing/rerate").as(billingUser).json(valid).send().expect(403);
        record Bad(Map<String, Object> body, String field) {
        }
        for (Bad bad : List.of(new Bad(Map.of("from", "2026-01-01T00:00:00Z", "to", "2026-02-01T00:00:00Z"), "model"),
                new Bad(Map.of("model", "gpt-4o", "from", "soon", "to", "2026-02-01T00:00:00Z"), "from"),
                new Bad(Map.of("model", "gpt-4o", "from", "2026-01-01T00:00:00Z"), "to"),
                new Bad(Map.of("model", "gpt-4o", "from", "2026-02-01T00:00:00Z", "to", "2026-01-01T00:00:00Z"),
                        "to"))) {
            Api.Response response = api.post("/api/billing/rerate").as(owner).json(bad.body()).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.text("field")).as(response.toString()).isEqualTo(bad.field());
        }
    }
}
