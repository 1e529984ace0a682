package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.support.Api;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.PostgresOnly;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * Budgets that block: under budgetEnforcement block, a call holds its worst-case cost
 * against the month's budgets of its org and its agent before any upstream is called, and
 * is refused with 402 when that does not fit; concurrent calls cannot all fit into the same
 * remainder, and a call's hold gives way to its real cost when it ends.
 *
 * <p>Prices here make the arithmetic plain: input is free and output costs $1 per thousand
 * tokens, and the fake upstream answers with as many output tokens as a call may use, so a
 * call's hold and its real cost are both $1.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway", "tenantry.gateway.retry-backoff=PT0.01S",
        "tenantry.gateway.max-retry-wait=PT0.05S"})
class GatewayBudgetTest extends GatewayServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    String model;
    String upstreamModel;
    String routeId;
    String provider;

    @BeforeAll
    static void awayFromTheMonthsEnd() {
        MonthEdge.awayFromMidnight();
    }

    @BeforeEach
    void routeAPricedModel() {
        freshOrganization("Budget org");
        fake.completionTokens = 1000;
        UpstreamRoute route = UpstreamRoute.create(api, owner, fake, "budget", null, Map.of());
        provider = route.provider();
        model = route.model();
        upstreamModel = route.upstreamModel();
        routeId = route.routeId();
        price(upstreamModel, "1000");
    }

    void price(String priced, String outputPerMillion) {
        api.post("/api/settings/models").as(owner).json(Map.of("model", priced, "provider", "test",
                "inputPricePerMillion", "0", "outputPricePerMillion", outputPerMillion)).send().expect(201);
    }

    void enforce(String orgId, String enforcement) {
        api.patch("/api/gateway/settings").org(orgId).as(owner).json(Map.of("budgetEnforcement", enforcement)).send()
                .expect(200);
    }

    void orgBudget(String orgId, Object budget) {
        Map<String, Object> body = new HashMap<>();
        body.put("monthlyBudget", budget);
        api.patch("/api/organizations/" + orgId).as(owner).json(body).send().expect(200);
    }

    static Map<String, Object> chat(String model, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", "Count to a thousand.")));
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    Api.Response complete(String agentKey, Map<String, Object> body) {
        return api.post("/agent/v1/chat/completions").as(agentKey).json(body).send();
    }

    BigDecimal spentUsd(String orgId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("""
                select coalesce(sum(cost_usd), 0) from usage_rollups where org_id = :org and billed_month = :month
                """).param("org", UUID.fromString(orgId))
                .param("month", YearMonth.now(ZoneOffset.UTC).atDay(1)).query(BigDecimal.class).single());
    }

    long holds(String orgId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select count(*) from gateway_reservations where org_id = :org").param("org", UUID.fromString(orgId))
                .query(Long.class).single());
    }

    @Test
    void fiftyConcurrentCallsAgainstRoomForTenServeTen() throws Exception {
        orgBudget(org, "10.00");
        enforce(org, "block");
        fake.delayMillis = 300;

        List<Api.Response> answers = concurrently(50, () -> complete(key, chat(model, "max_tokens", 1000)));

        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(10);
        List<Api.Response> refused = answers.stream().filter(a -> a.status() != 200).toList();
        assertThat(refused).hasSize(40).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(402);
            JsonNode error = a.json().path("error");
            assertThat(error.path("type").asString()).isEqualTo("insufficient_quota");
            assertThat(error.path("code").asString()).isEqualTo("budget_exceeded");
            assertThat(error.path("budget").path("scope").asString()).isEqualTo("organization");
            assertThat(error.path("budget").path("budget").decimalValue()).isEqualByComparingTo("10.00");
            assertThat(error.path("budget").path("needed").decimalValue()).isEqualByComparingTo("1.00");
            assertThat(error.path("message").asString()).contains("monthly budget of 10.00 USD");
        });
        assertThat(fake.calls()).as("a refused call never reaches the upstream").isEqualTo(10);
        assertThat(spentUsd(org)).isEqualByComparingTo("10");
        assertThat(holds(org)).as("every hold gave way to its call's real cost").isZero();
        List<JsonNode> log = api.get("/api/gateway/requests?limit=100").org(org).as(owner).send().expect(200).items();
        assertThat(log).hasSize(50);
        assertThat(log).filteredOn(r -> r.path("httpStatus").asInt() == 402)
                .hasSize(40).allSatisfy(r -> {
                    assertThat(r.path("status").asString()).isEqualTo("refused");
                    assertThat(r.path("errorCode").asString()).isEqualTo("budget_exceeded");
                });

        complete(key, chat(model, "max_tokens", 1)).expect(402);
    }

    long notes(String orgId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select count(*) from gateway_calls_in_flight where org_id = :org").param("org", UUID.fromString(orgId))
                .query(Long.class).single());
    }

    /**
     * A call that holds its budget is in the journal of calls in flight (written with its
     * hold) before its upstream hears of it, so a crash from then on leaves it to be billed;
     * a call refused for its budget never goes upstream and is never noted.
     */
    @Test
    void aCallIsNotedWithItsHoldBeforeItGoesUpstreamAndOneRefusedIsNeverNoted() {
        orgBudget(org, "1.50");
        enforce(org, "block");
        List<List<Long>> atUpstream = new java.util.concurrent.CopyOnWriteArrayList<>();
        fake.onReceived = () -> atUpstream.add(List.of(holds(org), notes(org)));

        complete(key, chat(model, "max_tokens", 1000)).expect(200);
        assertThat(atUpstream).as("holds and notes as the upstream received the call")
                .containsExactly(List.of(1L, 1L));
        assertThat(List.of(holds(org), notes(org))).as("metered: both gone").containsExactly(0L, 0L);

        complete(key, chat(model, "max_tokens", 1000)).expect(402);
        assertThat(fake.calls()).isEqualTo(1);
        assertThat(List.of(holds(org), notes(org))).as("refused: neither held nor noted").containsExactly(0L, 0L);
    }

    /**
     * An upstream that ignores the output limit the gateway sends it would cost what no hold
     * counted: nine streams against room for five, each held at 100 tokens, once streamed
     * six times that each. The gateway stops such a stream a quarter past its limit (its own
     * count may differ from the upstream's), ending it as a model at its limit does, so the
     * month's spend stays near the budget; the operator is told which provider did it.
     */
    @Test
    void aStreamPastTheOutputLimitItWasHeldAtIsStoppedThere() throws Exception {
        price(upstreamModel, "1000");
        orgBudget(org, "0.50");
        enforce(org, "block");
        for (int i = 0; i < 9; i++) {
            fake.then(FakeUpstream.Mode.SLOW_STREAM);
        }

        List<Api.Response> answers = concurrently(9, () -> api.post("/agent/v1/chat/completions").as(key)
                .json(chat(model, "max_tokens", 100, "stream", true)).send());

        List<Api.Response> served = answers.stream().filter(a -> a.status() == 200).toList();
        assertThat(served).hasSize(5).allSatisfy(a -> {
            List<String> data = java.util.Arrays.stream(a.body().split("\n")).filter(l -> l.startsWith("data: "))
                    .map(l -> l.substring(6)).toList();
            assertThat(data).last().isEqualTo("[DONE]");
            assertThat(data.get(data.size() - 2)).contains("\"finish_reason\":\"length\"");
            assertThat(data).noneMatch(d -> d.contains("word150"));
        });
        assertThat(fake.received).allSatisfy(r -> assertThat(r.body().path("max_tokens").asInt()).isEqualTo(100));
        assertThat(spentUsd(org)).as("five calls held at $0.10 each, none far past it")
                .isGreaterThanOrEqualTo(new BigDecimal("0.50")).isLessThanOrEqualTo(new BigDecimal("0.65"));
        assertThat(holds(org)).isZero();
        List<JsonNode> log = api.get("/api/gateway/requests?status=ok").org(org).as(owner).send().expect(200).items();
        assertThat(log).hasSize(5).allSatisfy(r -> {
            assertThat(r.path("errorCode").asString()).isEqualTo("output_limit");
            assertThat(r.path("estimated").asBoolean()).isTrue();
            assertThat(r.path("outputTokens").asLong()).isBetween(100L, 130L);
        });
    }

    /**
     * Holds decided together still count each other: two agents calling at once, one with a
     * budget of its own, never get past either budget between them.
     */
    @Test
    void concurrentCallsOfTwoAgentsStayWithinTheOrgsAndTheAgentsBudgets() throws Exception {
        orgBudget(org, "10.00");
        enforce(org, "block");
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("monthlyBudget", "3.00")).send().expect(200);
        String other = platform.createAgent(org, "Second spender");
        String otherKey = platform.issueKey(other);
        fake.delayMillis = 300;

        java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
        List<Api.Response> answers = concurrently(40, () -> complete(turn.getAndIncrement() % 2 == 0 ? key
                : otherKey, chat(model, "max_tokens", 1000)));

        assertThat(answers).filteredOn(a -> a.status() == 200).as("the org's room for ten").hasSize(10);
        assertThat(answers).filteredOn(a -> a.status() != 200).allSatisfy(a -> assertThat(a.status())
                .isEqualTo(402));
        assertThat(spentUsd(org)).isEqualByComparingTo("10");
        assertThat(api.get("/api/gateway/requests?limit=100&agentId=" + agent).org(org).as(owner).send().expect(200)
                .items()).filteredOn(r -> r.path("httpStatus").asInt() == 200).as("the agent's room for three")
                .hasSizeLessThanOrEqualTo(3);
        assertThat(holds(org)).isZero();
    }

    @Test
    void anAgentsOwnBudgetStopsItAloneAndAlertOnlyWarns() {
        String other = platform.createAgent(org, "Unbudgeted agent");
        String otherKey = platform.issueKey(other);
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("monthlyBudget", "2.50")).send().expect(200);
        assertThat(api.get("/api/agents/" + agent).as(owner).send().expect(200).json().path("monthlyBudget")
                .decimalValue()).isEqualByComparingTo("2.50");

        for (int i = 0; i < 3; i++) {
            complete(key, chat(model, "max_tokens", 1000)).expect(200);
        }
        assertThat(spentUsd(org)).as("alert (the default) never refuses").isEqualByComparingTo("3");

        api.patch("/api/agents/" + agent).as(owner).json(Map.of("monthlyBudget", "4.50")).send().expect(200);
        enforce(org, "block");
        complete(key, chat(model, "max_tokens", 1000)).expect(200);
        JsonNode refused = complete(key, chat(model, "max_tokens", 1000)).expect(402).json().path("error");
        assertThat(refused.path("budget").path("scope").asString()).isEqualTo("agent");
        assertThat(refused.path("budget").path("spent").decimalValue()).isEqualByComparingTo("4.00");
        assertThat(refused.path("budget").path("reserved").decimalValue()).isEqualByComparingTo("0.00");
        fake.completionTokens = 500;
        complete(key, chat(model, "max_tokens", 500)).expect(200);
        fake.completionTokens = 1000;

        complete(otherKey, chat(model, "max_tokens", 1000)).expect(200);
        assertThat(spentUsd(org)).isEqualByComparingTo("5.5");
    }

    @Test
    void aCallWithoutMaxTokensHoldsItsModelsOutputLimitTimesItsChoices() {
        orgBudget(org, "2.50");
        enforce(org, "block");
        JsonNode refused = complete(key, chat(model)).expect(402).json().path("error");
        assertThat(refused.path("budget").path("needed").decimalValue())
                .as("the gateway's default output limit, 16,384 tokens at $1 per thousand")
                .isEqualByComparingTo("16.38");

        api.put("/api/settings/routes/" + routeId).as(owner).json(Map.of("model", model, "targets",
                List.of(Map.of("provider", provider, "model", upstreamModel, "maxOutputTokens", 2000)))).send()
                .expect(200);
        complete(key, chat(model)).expect(200);
        JsonNode unlimited = fake.received.get(fake.received.size() - 1).body();
        assertThat(unlimited.path("max_tokens").asLong()).as("sent with the limit its hold counted, or the model "
                + "could answer more than was held").isEqualTo(2000);
        assertThat(unlimited.has("max_completion_tokens")).isFalse();
        assertThat(complete(key, chat(model, "max_tokens", 5000)).expect(402).json().path("error").path("budget")
                .path("needed").decimalValue()).as("the model answers with at most its limit")
                .isEqualByComparingTo("2.00");
        assertThat(complete(key, chat(model, "max_tokens", 1000, "n", 3)).expect(402).json().path("error")
                .path("budget").path("needed").decimalValue()).isEqualByComparingTo("3.00");
        complete(key, chat(model, "max_tokens", 500, "n", 2)).expect(200);
        assertThat(spentUsd(org)).as("two calls, each answered with 1,000 tokens").isEqualByComparingTo("2");

        orgBudget(org, "100.00");
        complete(key, chat(model, "max_tokens", 100_000, "max_completion_tokens", 5000)).expect(200);
        JsonNode sent = fake.received.get(fake.received.size() - 1).body();
        assertThat(sent.path("max_tokens").asLong()).as("what the hold counted is what the model may answer")
                .isEqualTo(2000);
        assertThat(sent.has("max_completion_tokens")).as("the provider's field alone carries it").isFalse();
        complete(key, chat(model, "max_tokens", 10)).expect(200);
        assertThat(fake.received.get(fake.received.size() - 1).body().path("max_tokens").asLong()).isEqualTo(10);

        // A provider whose models need max_completion_tokens gets the limit there.
        JsonNode upstream = api.get("/api/settings/providers").as(owner).send().expect(200).items().stream()
                .filter(p -> p.path("name").asString().equals(provider)).findFirst().orElseThrow();
        Map<String, Object> definition = new HashMap<>(Map.of("name", provider, "baseUrl",
                upstream.path("baseUrl").asString(), "keyCredential", upstream.path("keyCredential").asString(),
                "outputLimitField", "max_completion_tokens"));
        api.put("/api/settings/providers/" + upstream.path("id").asString()).as(owner).json(definition).send()
                .expect(200);
        complete(key, chat(model, "n", 2)).expect(200);
        JsonNode completion = fake.received.get(fake.received.size() - 1).body();
        assertThat(completion.path("max_completion_tokens").asLong()).as("per choice").isEqualTo(2000);
        assertThat(completion.has("max_tokens")).isFalse();
        complete(key, chat(model, "max_tokens", 300)).expect(200);
        JsonNode translated = fake.received.get(fake.received.size() - 1).body();
        assertThat(translated.path("max_completion_tokens").asLong()).as("the agent's limit, in the provider's field")
                .isEqualTo(300);
        assertThat(translated.has("max_tokens")).as("which OpenAI's reasoning models refuse").isFalse();

        // Where no budget counts it, a call is sent the most its model answers with (outside
        // tester: the call went unbounded, and a count above it was billed as that limit).
        enforce(org, "alert");
        complete(key, chat(model)).expect(200);
        JsonNode modelsLimit = fake.received.get(fake.received.size() - 1).body();
        assertThat(modelsLimit.path("max_completion_tokens").asLong()).isEqualTo(2000);
        assertThat(modelsLimit.has("max_tokens")).isFalse();
        complete(key, chat(model, "max_tokens", 50_000)).expect(200);
        JsonNode lowered = fake.received.get(fake.received.size() - 1).body();
        assertThat(lowered.path("max_completion_tokens").asLong()).isEqualTo(2000);
        assertThat(lowered.has("max_tokens")).isFalse();
        complete(key, chat(model, "max_tokens", null)).expect(200);
        JsonNode nulled = fake.received.get(fake.received.size() - 1).body();
        assertThat(nulled.path("max_completion_tokens").asLong()).isEqualTo(2000);
        assertThat(nulled.has("max_tokens")).as("a null limit is no limit, and not passed on").isFalse();
        api.post("/agent/v1/embeddings").as(key).json(Map.of("model", model, "input", "Count")).send().expect(200);
        JsonNode embedded = fake.received.get(fake.received.size() - 1).body();
        assertThat(embedded.has("max_completion_tokens") || embedded.has("max_tokens"))
                .as("an embedding answers no text to limit").isFalse();
        api.put("/api/settings/routes/" + routeId).as(owner).json(Map.of("model", model, "targets",
                List.of(Map.of("provider", provider, "model", upstreamModel)))).send().expect(200);
        complete(key, chat(model)).expect(200);
        JsonNode asSent = fake.received.get(fake.received.size() - 1).body();
        assertThat(asSent.has("max_tokens")).as("nothing bounds it: sent as the agent sent it").isFalse();
        assertThat(asSent.has("max_completion_tokens")).isFalse();
    }

    /**
     * A route whose model costs $1 per thousand tokens in and out, for an org blocking at a
     * budget of 10.00: what a call holds is then its tokens in thousandths of a dollar.
     */
    String routeWithPricedInput(String prefix) {
        String priced = prefix + "-priced-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/models").as(owner).json(Map.of("model", priced, "provider", "test",
                "inputPricePerMillion", "1000", "outputPricePerMillion", "1000")).send().expect(201);
        String routed = prefix + "-" + priced;
        api.post("/api/settings/routes").as(owner).json(Map.of("model", routed, "targets",
                List.of(Map.of("provider", provider, "model", priced)))).send().expect(201);
        orgBudget(org, "10.00");
        enforce(org, "block");
        return routed;
    }

    /**
     * An image, audio clip or file in a prompt costs the model hundreds or thousands of tokens
     * that no text shows: each counts as the most one may (3,000 tokens by default), or a
     * blocking budget is overspent by calls with pictures.
     */
    @Test
    void everyImageAudioOrFilePartOfAPromptCountsAsTheMostOneMayCost() {
        String mediaModel = routeWithPricedInput("media");
        Map<String, Object> image = Map.of("type", "image_url", "image_url", Map.of("url",
                "data:image/png;base64,iVBORw0KGgo=", "detail", "high"));
        Map<String, Object> audio = Map.of("type", "input_audio", "input_audio", Map.of("data", "UklGRg==",
                "format", "wav"));
        fake.completionTokens = 1;

        JsonNode four = complete(key, Map.of("model", mediaModel, "max_tokens", 1, "messages", List.of(Map.of("role",
                "user", "content", List.of(Map.of("type", "text", "text", "Describe these."), image, image, image,
                        image))))).expect(402).json().path("error");
        assertThat(four.path("budget").path("needed").decimalValue()).as("four images of 3,000 tokens at $1 each")
                .isGreaterThanOrEqualTo(new BigDecimal("12.00")).isLessThan(new BigDecimal("12.05"));
        JsonNode mixed = complete(key, Map.of("model", mediaModel, "max_tokens", 1, "messages", List.of(
                Map.of("role", "user", "content", List.of(image, audio)), Map.of("role", "user", "content",
                        List.of(Map.of("type", "file", "file", Map.of("file_id", "file-abc")), image))))).expect(402)
                .json().path("error");
        assertThat(mixed.path("budget").path("needed").decimalValue()).as("an image, audio, a file, an image")
                .isGreaterThanOrEqualTo(new BigDecimal("12.00"));
        assertThat(fake.calls()).isZero();

        complete(key, Map.of("model", mediaModel, "max_tokens", 1, "messages", List.of(Map.of("role", "user",
                "content", List.of(image, image))))).expect(200);
    }

    @Test
    void everyTextTheModelReadsCountsAndTheLesserOutputLimitHolds() {
        String inputModel = routeWithPricedInput("input");

        JsonNode hidden = complete(key, chat(inputModel, "max_tokens", 1, "functions", List.of(Map.of("name", "f",
                "description", "word ".repeat(20_000))))).expect(402).json().path("error");
        assertThat(hidden.path("budget").path("needed").decimalValue()).as("20,000 tokens in a function's description")
                .isGreaterThanOrEqualTo(new BigDecimal("20"));
        Map<String, Object> properties = new java.util.HashMap<>();
        for (int i = 0; i < 400; i++) {
            properties.put("parameter_" + i + "_" + "word_".repeat(40), Map.of("type", "string"));
        }
        JsonNode named = complete(key, chat(inputModel, "max_tokens", 1, "tools", List.of(Map.of("type", "function",
                "function", Map.of("name", "f", "parameters", Map.of("type", "object", "properties", properties))))))
                .expect(402).json().path("error");
        assertThat(named.path("budget").path("needed").decimalValue()).as("the names of 400 long parameters")
                .isGreaterThan(new BigDecimal("10"));
        assertThat(fake.calls()).isZero();

        // Two limits that differ: the lesser holds, and the model is sent it in its provider's field
        // alone, so that it answers no more than was held (and is billed).
        complete(key, chat(model, "max_tokens", 10, "max_completion_tokens", 50_000)).expect(200);
        JsonNode both = fake.received.get(fake.received.size() - 1).body();
        assertThat(both.path("max_tokens").asLong()).isEqualTo(10);
        assertThat(both.has("max_completion_tokens")).isFalse();
    }

    @Test
    void aBudgetThatCannotBeCheckedRefusesRatherThanSpends() {
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("currency", "AUD", "monthlyBudget", "5.00",
                "billingRatePerAgent", "0")).send().expect(200);
        enforce(org, "block");
        JsonNode noRate = complete(key, chat(model, "max_tokens", 1000)).expect(402).json().path("error");
        assertThat(noRate.path("code").asString()).isEqualTo("budget_unverifiable");
        assertThat(noRate.path("message").asString()).contains("AUD");
        assertThat(fake.calls()).isZero();

        api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "AUD", "rate", "2", "effectiveFrom",
                YearMonth.now(ZoneOffset.UTC).toString())).send().expect(200);
        complete(key, chat(model, "max_tokens", 1000)).expect(200);
        complete(key, chat(model, "max_tokens", 1000)).expect(200);
        JsonNode over = complete(key, chat(model, "max_tokens", 1000)).expect(402).json().path("error");
        assertThat(over.path("budget").path("currency").asString()).isEqualTo("AUD");
        assertThat(over.path("budget").path("spent").decimalValue()).as("$2 at 2 AUD per USD")
                .isEqualByComparingTo("4.00");
        assertThat(over.path("budget").path("needed").decimalValue()).isEqualByComparingTo("2.00");

        String unpriced = "unpriced-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", unpriced, "targets",
                List.of(Map.of("provider", provider, "model", unpriced)))).send().expect(201);
        JsonNode noPrice = complete(key, chat(unpriced, "max_tokens", 1)).expect(402).json().path("error");
        assertThat(noPrice.path("code").asString()).isEqualTo("budget_unverifiable");
        assertThat(noPrice.path("message").asString()).contains(unpriced).contains("no price");
    }

    @Test
    void aStreamHoldsUntilItsUsageIsStoredAndHoldsOfDeadNodesAreSwept() throws Exception {
        orgBudget(org, "3.00");
        enforce(org, "block");
        UUID orgId = UUID.fromString(org);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID stale = UUID.randomUUID();
        UUID live = UUID.randomUUID();
        transactions.write(OrgScope.allOrgs(), () -> {
            insertHold(stale, orgId, new BigDecimal("100"), now.minus(java.time.Duration.ofHours(2)));
            insertHold(live, orgId, new BigDecimal("2.5"), now.minusSeconds(60));
        });

        JsonNode refused = complete(key, chat(model, "max_tokens", 1000)).expect(402).json().path("error");
        assertThat(refused.path("budget").path("reserved").decimalValue())
                .as("a hold older than the hold time is swept; a recent one counts").isEqualByComparingTo("2.50");
        assertThat(holds(org)).as("a refusal changes nothing").isEqualTo(2);

        transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("delete from gateway_reservations where id = :id").param("id", live).update();
        });
        complete(key, chat(model, "max_tokens", 1000)).expect(200);
        assertThat(holds(org)).as("the stale hold is swept by the next call that fits").isZero();
        assertThat(spentUsd(org)).isEqualByComparingTo("1");
        List<String> events = new ArrayList<>();
        Api.Response streamed = api.post("/agent/v1/chat/completions").as(key)
                .json(chat(model, "max_tokens", 1000, "stream", true)).send().expect(200);
        for (String line : streamed.body().split("\n")) {
            if (line.startsWith("data: ")) {
                events.add(line.substring(6));
            }
        }
        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(holds(org)).isZero();
        assertThat(spentUsd(org)).isEqualByComparingTo("2");
    }

    /**
     * Every call inserts a hold and deletes it, and until a vacuum (which may come once a
     * minute, or never) the dead rows stay in the org's index. A round's sum must not go back
     * to the table for them on every round, under the org's lock: once they are dead to every
     * transaction, the sum reads none of their pages.
     */
    @Test
    @PostgresOnly("dead index entries, and the plans that skip them, are PostgreSQL's")
    void aRoundsSumOfHoldsStopsReadingHoldsReleasedBeforeIt() throws Exception {
        orgBudget(org, "100.00");
        enforce(org, "block");
        UUID orgId = UUID.fromString(org);
        transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("""
                    insert into gateway_reservations (id, org_id, agent_id, amount_usd, held_at)
                    select gen_random_uuid(), :org, :agent, 1, now() from generate_series(1, 3000)
                    """).param("org", orgId).param("agent", UUID.fromString(agent)).update();
        });
        transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("delete from gateway_reservations where org_id = :org").param("org", orgId).update();
        });
        long pagesRead = Long.MAX_VALUE;
        for (int round = 0; round < 40 && pagesRead > 0; round++) {
            pagesRead = transactions.read(OrgScope.allOrgs(), () -> {
                long before = tablePagesReadInThisTransaction();
                assertThat(jdbc.sql("select org_held from gateway_holds_held(:org, :agent, :since)")
                        .param("org", orgId).param("agent", UUID.fromString(agent))
                        .param("since", Timestamps.of(Instant.now().minusSeconds(3600))).query(BigDecimal.class)
                        .single()).isZero();
                return tablePagesReadInThisTransaction() - before;
            });
            if (pagesRead > 0) {
                Thread.sleep(50);
            }
        }
        assertThat(pagesRead).as("table pages a round's sum reads for 3,000 released holds").isZero();
        complete(key, chat(model, "max_tokens", 10)).expect(200);
        assertThat(holds(org)).isZero();
    }

    private long tablePagesReadInThisTransaction() {
        return jdbc.sql("select pg_stat_get_xact_blocks_fetched(cast('gateway_reservations' as regclass))")
                .query(Long.class).single();
    }

    private void insertHold(UUID id, UUID orgId, BigDecimal amount, Instant at) {
        jdbc.sql("""
                insert into gateway_reservations (id, org_id, agent_id, amount_usd, held_at)
                values (:id, :org, :agent, :amount, :at)
                """).param("id", id).param("org", orgId).param("agent", UUID.fromString(agent))
                .param("amount", amount).param("at", Timestamps.of(at)).update();
    }

    @Test
    void budgetSettingsRefuseBadInputAndChangeNothing() {
        for (Object bad : List.of("stop", 1, "BLOCK")) {
            refusedOn("budgetEnforcement", api.patch("/api/gateway/settings").org(org).as(owner)
                    .json(Map.of("budgetEnforcement", bad)).send());
        }
        assertThat(api.get("/api/gateway/settings").org(org).as(owner).send().expect(200).text("budgetEnforcement"))
                .isEqualTo("alert");

        for (Object bad : List.of("0", -1, "1e4000000", "12.345", "ten", List.of(1))) {
            refusedOn("monthlyBudget", api.patch("/api/agents/" + agent).as(owner).json(Map.of("monthlyBudget", bad))
                    .send());
        }
        refusedOn("monthlyBudget", api.post("/api/agents").org(org).as(owner).json(Map.of("name", "Overbudgeted",
                "monthlyBudget", "1e999999999")).send());
        assertThat(api.get("/api/agents/" + agent).as(owner).send().expect(200).json().path("monthlyBudget").isNull())
                .isTrue();
        String made = api.post("/api/agents").org(org).as(owner).json(Map.of("name", "Budgeted " + UUID.randomUUID(),
                "monthly_budget", "12.5")).send().expect(201).id();
        assertThat(api.get("/api/agents/" + made).as(owner).send().expect(200).json().path("monthlyBudget")
                .decimalValue()).isEqualByComparingTo("12.50");

        for (Object bad : List.of(0, 10_000_001)) {
            refusedOn("targets[0].maxOutputTokens", api.put("/api/settings/routes/" + routeId).as(owner)
                    .json(Map.of("model", model, "targets", List.of(Map.of("provider", provider, "model",
                            upstreamModel, "maxOutputTokens", bad)))).send());
        }
        api.put("/api/settings/routes/" + routeId).as(owner).json(Map.of("model", model, "targets", List.of(Map.of(
                "provider", provider, "model", upstreamModel, "maxOutputTokens", 1e12)))).send().expect(400);
        assertThat(api.get("/api/settings/routes/" + routeId).as(owner).send().expect(200).json().path("targets")
                .get(0).path("maxOutputTokens").isNull()).isTrue();
        // A target's limit under its name and its alias at once is refused, not decided by the order
        // (a second one of null lifted the limit).
        api.put("/api/settings/routes/" + routeId).as(owner).json(Map.of("model", model, "targets", List.of(Map.of(
                "provider", provider, "model", upstreamModel, "maxOutputTokens", 100)))).send().expect(200);
        for (String body : List.of("\"maxOutputTokens\":7,\"max_output_tokens\":null",
                "\"max_output_tokens\":7,\"maxOutputTokens\":9")) {
            refusedOn("targets[0].maxOutputTokens", api.put("/api/settings/routes/" + routeId).as(owner)
                    .raw("{\"model\":\"" + model + "\",\"targets\":[{\"provider\":\"" + provider + "\",\"model\":\""
                            + upstreamModel + "\"," + body + "}]}").send());
        }
        assertThat(api.get("/api/settings/routes/" + routeId).as(owner).send().expect(200).json().path("targets")
                .get(0).path("maxOutputTokens").asInt()).isEqualTo(100);

        for (Object n : List.of(0, 129, 1.5, "two")) {
            assertThat(complete(key, chat(model, "n", n)).expect(400).json().path("error").path("code").asString())
                    .isEqualTo("invalid_n");
        }
        assertThat(fake.calls()).isZero();
    }

    @Test
    void noOtherPrincipalCallsTheGatewayPastABudget() {
        orgBudget(org, "1.00");
        enforce(org, "block");
        complete(owner, chat(model, "max_tokens", 1000)).expect(403);
        api.post("/agent/v1/chat/completions").org(org).as(owner).json(chat(model, "max_tokens", 1000)).send()
                .expect(403);
        complete("tnt_not-a-key", chat(model, "max_tokens", 1000)).expect(401);
        assertThat(fake.calls()).isZero();
    }

    static void refusedOn(String field, Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.text("field")).as(response.toString()).isEqualTo(field);
    }

    static <T> List<T> concurrently(int n, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(call));
            }
            List<T> answers = new ArrayList<>();
            for (Future<T> future : futures) {
                answers.add(future.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
    /**
     * A call reads its agent's org when it starts; a move is stamped before it commits, so a
     * call starting in between is served on the old org's terms (its budget, its key) while
     * the history at the call's start already names the new org. Such a call is billed to
     * the org that served it (ServedUsageTest), never to the new org, whose blocking budget
     * here admits no call at all.
     */
    @Test
    void callsRacingTheirAgentsMovesAreBilledToTheOrgThatServedThem() throws Exception {
        String other = platform.createOrg("Admits no call");
        enforce(org, "block");
        orgBudget(org, "1000");
        enforce(other, "block");
        orgBudget(other, "0.50");
        java.util.concurrent.atomic.AtomicBoolean moving = new java.util.concurrent.atomic.AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> callers = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                callers.add(pool.submit(() -> {
                    while (moving.get()) {
                        complete(key, chat(model));
                    }
                    return null;
                }));
            }
            for (int move = 0; move < 12; move++) {
                Thread.sleep(40);
                api.post("/api/agents/" + agent + "/assign-org").as(owner)
                        .json(Map.of("orgId", move % 2 == 0 ? other : org)).send().expect(200);
            }
            Thread.sleep(40);
        } finally {
            moving.set(false);
            for (Future<?> caller : callers) {
                caller.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }

        List<String> elsewhere = transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("""
                select cast(r.id as varchar) from gateway_requests r
                  join usage_events u on u.event_id = 'gateway:' || cast(r.id as varchar)
                 where r.agent_id = :agent and u.org_id <> r.org_id
                """).param("agent", UUID.fromString(agent)).query(String.class).list());
        assertThat(elsewhere).as("calls billed to another org than the one that served them").isEmpty();
        assertThat(spentUsd(other)).as("the org whose budget admits no call").isZero();
        assertThat(holds(org) + holds(other)).isZero();
    }
}
