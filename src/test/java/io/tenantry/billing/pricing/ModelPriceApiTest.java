package io.tenantry.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;

import tools.jackson.databind.JsonNode;

@TenantryTest
class ModelPriceApiTest extends ServerTest {

    static String newModel() {
        return "test-model-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Map<String, Object> price(String model, Object input, Object output) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("provider", "Acme AI");
        body.put("inputPricePerMillion", input);
        body.put("outputPricePerMillion", output);
        return body;
    }

    JsonNode listed(String model) {
        return api.get("/api/settings/models?limit=500").as(owner).send().expect(200).items().stream()
                .filter(m -> m.path("model").asString().equals(model)).findFirst()
                .orElseThrow(() -> new AssertionError(model + " is not listed"));
    }

    @Test
    void theSeededListCoversTheMainstreamProvidersWithTheDateOfItsPrices() {
        List<JsonNode> models = api.get("/api/settings/models?limit=500").as(owner).send().expect(200).items();

        assertThat(models.stream().map(m -> m.path("provider").asString()).distinct())
                .contains("OpenAI", "Anthropic", "Google", "Mistral", "DeepSeek");
        JsonNode gpt4o = listed("gpt-4o");
        assertThat(gpt4o.path("inputPricePerMillion").asString()).isEqualTo("2.500000");
        assertThat(gpt4o.path("outputPricePerMillion").asString()).isEqualTo("10.000000");
        assertThat(gpt4o.path("cachedInputPricePerMillion").asString()).isEqualTo("1.250000");
        assertThat(gpt4o.path("currency").asString()).isEqualTo("USD");
        assertThat(gpt4o.path("inForce").asBoolean()).isTrue();
        JsonNode seeded = api.get("/api/settings/models/gpt-4o/history").as(owner).send().expect(200).items().get(0);
        assertThat(seeded.path("source").asString()).contains("2025-06-30");
    }

    @Test
    void aNewModelAndANewVersionKeepEveryEarlierVersion() {
        String model = newModel();
        Instant next = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

        Api.Response first = api.post("/api/settings/models").as(owner).json(price(model, "1.5", 6)).send()
                .expect(201);
        Map<String, Object> raise = price(model, "2.25", 9);
        raise.remove("provider");
        raise.put("effectiveFrom", next.toString());
        api.post("/api/settings/models").as(owner).json(raise).send().expect(201);

        JsonNode current = listed(model);
        assertThat(first.text("inputPricePerMillion")).isEqualTo("1.500000");
        assertThat(current.path("inputPricePerMillion").asString()).isEqualTo("1.500000");
        assertThat(current.path("nextChange").asString()).isEqualTo(next.toString());
        assertThat(current.path("versions").asInt()).isEqualTo(2);
        List<JsonNode> history = api.get("/api/settings/models/" + model + "/history").as(owner).send().expect(200)
                .items();
        assertThat(history).extracting(v -> v.path("inputPricePerMillion").asString())
                .containsExactly("2.250000", "1.500000");
        assertThat(history.get(0).path("provider").asString()).isEqualTo("Acme AI");
        assertThat(history.get(0).path("createdBy").asString()).isEqualTo(Platform.OWNER_EMAIL);

        raise.put("inputPricePerMillion", "3");
        assertThat(api.post("/api/settings/models").as(owner).json(raise).send().expect(409).text("field"))
                .isEqualTo("effectiveFrom");
    }

    /** A model whose first price is still to come says when the one after it takes over. */
    @Test
    void aModelPricedOnlyInTheFutureNamesItsNextChange() {
        String model = newModel();
        Instant first = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Instant second = first.plus(1, ChronoUnit.DAYS);
        for (Instant from : List.of(first, second)) {
            Map<String, Object> body = price(model, from.equals(first) ? "1" : "2", 4);
            body.put("effectiveFrom", from.toString());
            api.post("/api/settings/models").as(owner).json(body).send().expect(201);
        }

        JsonNode listed = listed(model);

        assertThat(listed.path("inForce").asBoolean()).isFalse();
        assertThat(listed.path("inputPricePerMillion").asString()).isEqualTo("1.000000");
        assertThat(listed.path("effectiveFrom").asString()).isEqualTo(first.toString());
        assertThat(listed.path("nextChange").asString()).isEqualTo(second.toString());
    }

    @Test
    void aPriceCannotTakeEffectInThePast() {
        String model = newModel();
        Map<String, Object> body = price(model, 1, 2);
        body.put("effectiveFrom", Instant.now().minus(1, ChronoUnit.DAYS).toString());

        Api.Response refused = api.post("/api/settings/models").as(owner).json(body).send().expect(400);

        assertThat(refused.text("detail")).contains("past");
        api.get("/api/settings/models/" + model + "/history").as(owner).send().expect(404);
    }

    /** A client clock a little behind means "now": the price must not reach back over stored usage. */
    @Test
    void aTimeJustPastFromAClockRunningBehindTakesEffectNow() {
        String model = newModel();
        Map<String, Object> body = price(model, 1, 2);
        Instant sent = Instant.now();
        body.put("effectiveFrom", sent.minus(3, ChronoUnit.MINUTES).toString());

        Api.Response created = api.post("/api/settings/models").as(owner).json(body).send().expect(201);

        Instant from = Instant.parse(created.text("effectiveFrom"));
        assertThat(from).isAfterOrEqualTo(sent.truncatedTo(ChronoUnit.MILLIS)).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void badPricesAreRefusedWithAProblemNamingTheFieldAndChangeNothing() {
        String model = newModel();
        record Bad(Map<String, Object> body, String field) {
        }
        Map<String, Object> noProvider = price(model, 1, 2);
        noProvider.remove("provider");
        Map<String, Object> noInput = price(model, 1, 2);
        noInput.remove("inputPricePerMillion");
        Map<String, Object> badFrom = price(model, 1, 2);
        badFrom.put("effectiveFrom", "next tuesday");
        for (Bad bad : List.of(new Bad(price(null, 1, 2), "model"), new Bad(price("has space", 1, 2), "model"),
                new Bad(price("a/b", 1, 2), "model"), new Bad(price("m".repeat(100_000), 1, 2), "model"),
                new Bad(price(model, -1, 2), "inputPricePerMillion"),
                new Bad(price(model, "0.0000001", 2), "inputPricePerMillion"),
                new Bad(price(model, 1, "free"), "outputPricePerMillion"),
                new Bad(price(model, 1, "1e9"), "outputPricePerMillion"),
                new Bad(noProvider, "provider"), new Bad(noInput, "inputPricePerMillion"),
                new Bad(badFrom, "effectiveFrom"))) {
            Api.Response response = api.post("/api/settings/models").as(owner).json(bad.body()).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.text("field")).as(response.toString()).isEqualTo(bad.field());
        }
        api.post("/api/settings/models").as(owner).raw("{\"model\":").send().expect(400);
        api.get("/api/settings/models/" + model + "/history").as(owner).send().expect(404);
    }

    /** A price is what the agency pays per token: reading one needs costs, the Settings page or not. */
    @Test
    void readingNeedsCostsAndChangingNeedsAnOperator() {
        String withCosts = platform.createUser("user", null, List.of("settings", "billing", "costs"));
        String settingsAlone = platform.createUser("user", null, List.of("settings"));
        String billingAlone = platform.createUser("user", null, List.of("agents", "billing"));

        api.get("/api/settings/models").as(withCosts).send().expect(200);
        api.get("/api/settings/models/gpt-4o/history").as(withCosts).send().expect(200);
        for (String without : List.of(settingsAlone, billingAlone)) {
            assertThat(api.get("/api/settings/models").as(without).send().expect(403).text("detail"))
                    .contains("costs");
            api.get("/api/settings/models/gpt-4o/history").as(without).send().expect(403);
        }
        api.post("/api/settings/models").as(withCosts).json(price(newModel(), 1, 1)).send().expect(403);
    }

    @Test
    void everyNewPriceIsAudited() {
        String model = newModel();
        api.post("/api/settings/models").as(owner).json(price(model, "0.5", "1.5")).send().expect(201);

        JsonNode event = api.get("/api/audit?action=model_price.created&limit=500").as(owner)
                .org(DefaultOrg.ID).send().expect(200).items().stream()
                .filter(e -> e.path("targetId").asString().equals(model)).findFirst().orElseThrow();
        assertThat(event.path("after").path("outputPricePerMillion").asString()).isEqualTo("1.500000");
    }
}
