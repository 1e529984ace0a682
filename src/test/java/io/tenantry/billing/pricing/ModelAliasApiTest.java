package io.tenantry.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

import tools.jackson.databind.JsonNode;

/**
 * Model aliases: usage reported under a name without a price ("mistral-large") is priced as
 * a priced model ("mistral-large-latest", 2.00 in / 6.00 out USD per million tokens) once the
 * alias is set, and a rerate prices what was stored unpriced before.
 */
@TenantryTest
class ModelAliasApiTest extends ServerTest {

    static String uniqueName() {
        return "mistral-large-" + UUID.randomUUID().toString().substring(0, 8);
    }

    void report(String agent, String model, long input, long output, Instant at) {
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event(model, input, output, 0, at),
                agent)).send().expect(201);
    }

    JsonNode statement(String org) {
        return api.get("/api/organizations/" + org + "/billing?month=" + YearMonth.now(ZoneOffset.UTC)).as(owner)
                .send().expect(200).json();
    }

    Api.Response setAlias(String token, String alias, Object body) {
        return api.put("/api/settings/model-aliases/" + alias).as(token).json(body).send();
    }

    @Test
    void anAliasPricesNewUsageAndARerateThePastUnpricedUsage() {
        String alias = uniqueName();
        String org = platform.createOrg(Map.of("name", alias, "billingRatePerAgent", "10.00"));
        String agent = platform.createAgent(org, "Reporter");
        Instant before = Instant.now().minus(1, ChronoUnit.MINUTES);
        report(agent, alias, 1_000_000, 0, before);
        assertThat(statement(org).path("unpricedTokens").asLong()).isEqualTo(1_000_000);

        JsonNode set = setAlias(owner, alias, Map.of("model", "mistral-large-latest")).expect(200).json();
        assertThat(set.path("alias").asString()).isEqualTo(alias);
        assertThat(set.path("model").asString()).isEqualTo("mistral-large-latest");
        assertThat(api.get("/api/settings/model-aliases").as(owner).send().expect(200).body()).contains(alias);

        // New usage is priced as the target: 1M output tokens at 6.00.
        report(agent, alias, 0, 1_000_000, Instant.now());
        JsonNode now = statement(org);
        assertThat(now.path("cost").asString()).isEqualTo("6.00");
        assertThat(now.path("unpricedTokens").asLong()).isEqualTo(1_000_000);

        // The rerate prices the earlier million input tokens at 2.00, under the reported name.
        JsonNode rerated = api.post("/api/billing/rerate").as(owner).json(Map.of("model", alias, "from",
                before.minusSeconds(60).toString(), "to", Instant.now().plusSeconds(1).toString())).send().expect(200)
                .json();
        assertThat(rerated.path("priced").asInt()).isEqualTo(1);
        assertThat(rerated.path("price").path("model").asString()).isEqualTo("mistral-large-latest");
        now = statement(org);
        assertThat(now.path("cost").asString()).isEqualTo("8.00");
        assertThat(now.path("unpricedTokens").asLong()).isZero();
        assertThat(now.path("warnings").toString()).doesNotContain(alias);
        assertThat(now.path("lines").get(0).path("costByModel").get(0).path("model").asString()).isEqualTo(alias);
        assertThat(api.get("/api/audit?action=model_alias.created").as(owner).send().expect(200).body())
                .contains(alias);

        // Removed, the name is unpriced again for new usage; what was priced stays priced.
        api.delete("/api/settings/model-aliases/" + alias).as(owner).send().expect(204);
        report(agent, alias, 1_000, 0, Instant.now());
        now = statement(org);
        assertThat(now.path("cost").asString()).isEqualTo("8.00");
        assertThat(now.path("unpricedTokens").asLong()).isEqualTo(1_000);
        api.delete("/api/settings/model-aliases/" + alias).as(owner).send().expect(404);
    }

    /**
     * Usage under a name mapped later takes the price its model had when the usage happened,
     * as if reported under the model's name; usage from before the model had any price takes
     * the model's first price.
     */
    @Test
    void aRerateThroughAnAliasPricesEachEventWithThePriceInForceWhenItHappened() throws InterruptedException {
        String model = "aliased-" + UUID.randomUUID().toString().substring(0, 8);
        String alias = uniqueName();
        String org = platform.createOrg(Map.of("name", alias));
        String agent = platform.createAgent(org, "Reporter");
        Instant beforeAnyPrice = Instant.now().minusSeconds(30);
        report(agent, alias, 1_000_000, 0, beforeAnyPrice);
        api.post("/api/settings/models").as(owner).json(Map.of("model", model, "provider", "Acme AI",
                "inputPricePerMillion", "1", "outputPricePerMillion", "1")).send().expect(201);
        Thread.sleep(5);
        report(agent, alias, 1_000_000, 0, Instant.now());
        Thread.sleep(5);
        api.post("/api/settings/models").as(owner).json(Map.of("model", model, "inputPricePerMillion", "10",
                "outputPricePerMillion", "10")).send().expect(201);
        Thread.sleep(5);
        report(agent, alias, 1_000_000, 0, Instant.now());
        setAlias(owner, alias, Map.of("model", model)).expect(200);

        JsonNode rerated = api.post("/api/billing/rerate").as(owner).json(Map.of("model", alias, "from",
                beforeAnyPrice.minusSeconds(60).toString(), "to", Instant.now().plusSeconds(1).toString())).send()
                .expect(200).json();

        assertThat(rerated.path("priced").asInt()).isEqualTo(3);
        assertThat(rerated.path("price").path("inputPricePerMillion").asString()).as("the latest applied")
                .isEqualTo("10.000000");
        assertThat(statement(org).path("cost").asString()).as("1.00 before any price, 1.00, then 10.00")
                .isEqualTo("12.00");
        assertThat(statement(org).path("unpricedTokens").asLong()).isZero();
    }

    /** Names run to 100 characters wherever a model is named: reported, priced, aliased and audited. */
    @Test
    void theLongestModelNamesArePricedAndAliased() {
        String priced = ("p" + UUID.randomUUID().toString().replace("-", "")).repeat(4).substring(0, 100);
        String alias = ("a" + UUID.randomUUID().toString().replace("-", "")).repeat(4).substring(0, 100);

        api.post("/api/settings/models").as(owner).json(Map.of("model", priced, "provider", "Acme AI",
                "inputPricePerMillion", "1", "outputPricePerMillion", "1")).send().expect(201);
        setAlias(owner, alias, Map.of("model", priced)).expect(200);

        assertThat(api.get("/api/audit?action=model_alias.created").as(owner).send().expect(200).body())
                .contains(alias);
        setAlias(owner, alias + "x", Map.of("model", priced)).expect(400);
    }

    @Test
    void anAliasMustNotHideAPriceNorPointAtNothingNorAtAnotherAlias() {
        String alias = uniqueName();
        assertThat(setAlias(owner, "gpt-4o", Map.of("model", "gpt-4o-mini")).expect(409).text("field"))
                .isEqualTo("alias");
        assertThat(setAlias(owner, alias, Map.of("model", "no-such-model")).expect(409).text("field"))
                .isEqualTo("model");
        assertThat(setAlias(owner, alias, Map.of("model", alias)).expect(400).text("field")).isEqualTo("model");
        // A model priced only from a future date has no price in force to stand for.
        String future = uniqueName();
        api.post("/api/settings/models").as(owner).json(Map.of("model", future, "provider", "Later",
                "inputPricePerMillion", 1, "outputPricePerMillion", 1, "effectiveFrom", "2099-01-01T00:00:00Z"))
                .send().expect(201);
        assertThat(setAlias(owner, alias, Map.of("model", future)).expect(409).text("detail")).contains("in force");
        setAlias(owner, alias, Map.of("model", "mistral-large-latest")).expect(200);
        String second = uniqueName();
        assertThat(setAlias(owner, second, Map.of("model", alias)).expect(409).text("detail"))
                .contains("mistral-large-latest");
        // A price for a name that is an alias is refused: it would silently change what the alias means.
        assertThat(api.post("/api/settings/models").as(owner).json(Map.of("model", alias, "provider", "X",
                "inputPricePerMillion", 1, "outputPricePerMillion", 1)).send().expect(409).text("detail"))
                .contains("alias");
        assertThat(api.get("/api/settings/model-aliases").as(owner).send().body()).doesNotContain(second);
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        String alias = uniqueName();
        for (Object body : List.<Object>of(Map.of(), Map.of("model", ""), Map.of("model", "x".repeat(101)),
                Map.of("model", 5), Map.of("model", true), Map.of("model", 1.5),
                Map.of("model", "mistral-large-latest", "modle", "typo"), Map.of("model", List.of("a")))) {
            setAlias(owner, alias, body).expect(400);
        }
        api.put("/api/settings/model-aliases/" + alias).as(owner).raw("{").send().expect(400);
        api.put("/api/settings/model-aliases/-bad").as(owner).json(Map.of("model", "mistral-large-latest")).send()
                .expect(400);
        String user = platform.createUser("user", null, List.of("settings"));
        setAlias(user, alias, Map.of("model", "mistral-large-latest")).expect(403);
        api.get("/api/settings/model-aliases").as(user).send().expect(200);
        assertThat(api.get("/api/settings/model-aliases").as(owner).send().body()).doesNotContain(alias);
    }

    @Test
    void concurrentSetsOfOneNewAliasAllLandAndLeaveOneAlias() throws Exception {
        String alias = uniqueName();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Api.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String target = i % 2 == 0 ? "mistral-large-latest" : "mistral-medium-latest";
            answers.add(pool.submit(() -> setAlias(owner, alias, Map.of("model", target))));
        }
        for (Future<Api.Response> answer : answers) {
            answer.get().expect(200);
        }
        pool.shutdown();
        long rows = 0;
        for (JsonNode item : api.get("/api/settings/model-aliases").as(owner).send().items()) {
            if (item.path("alias").asString().equals(alias)) {
                rows++;
            }
        }
        assertThat(rows).isEqualTo(1);
        int created = 0;
        int changed = 0;
        for (String action : List.of("model_alias.created", "model_alias.changed")) {
            for (JsonNode event : api.get("/api/audit?limit=500&action=" + action).as(owner).send().items()) {
                if (event.path("targetId").asString().equals(alias)) {
                    created += action.endsWith("created") ? 1 : 0;
                    changed += action.endsWith("changed") ? 1 : 0;
                }
            }
        }
        assertThat(created).as("exactly one creation is on record").isEqualTo(1);
        assertThat(changed).as("every other set is a change on record").isEqualTo(11);
    }

    /**
     * A price and an alias for one name each require the other to be absent; sent at once,
     * only one may land, or the name would be priced from a mix of both.
     */
    @Test
    void anAliasAndAPriceForOneNameSentAtOnceNeverBothLand() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                String name = uniqueName();
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                Future<Api.Response> alias = pool.submit(() -> {
                    together.await();
                    return setAlias(owner, name, Map.of("model", "mistral-large-latest"));
                });
                Future<Api.Response> price = pool.submit(() -> {
                    together.await();
                    return api.post("/api/settings/models").as(owner).json(Map.of("model", name, "provider", "Acme",
                            "inputPricePerMillion", 30, "outputPricePerMillion", 60)).send();
                });
                int aliasStatus = alias.get().status();
                int priceStatus = price.get().status();
                String answers = "round " + round + ": alias " + alias.get() + ", price " + price.get();
                assertThat((aliasStatus == 200 ? 1 : 0) + (priceStatus == 201 ? 1 : 0)).as(answers).isEqualTo(1);
                assertThat(aliasStatus == 200 ? priceStatus : aliasStatus).as(answers).isEqualTo(409);
                boolean aliased = api.get("/api/settings/model-aliases").as(owner).send().body().contains(name);
                int versions = api.get("/api/settings/models/" + name + "/history").as(owner).send().status();
                assertThat(aliased).as("the alias is stored exactly when it was acknowledged")
                        .isEqualTo(aliasStatus == 200);
                assertThat(versions).as("the price is stored exactly when it was acknowledged")
                        .isEqualTo(priceStatus == 201 ? 200 : 404);
            }
        } finally {
            pool.shutdown();
        }
    }
}
