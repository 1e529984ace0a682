package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.support.Api;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * Rate limits per org and per agent, in requests and tokens per minute: allowances kept in
 * the database that refill at the limit's pace (so concurrent calls spend one each and no
 * moment of the clock lets a second limit's worth through), answered with OpenAI's
 * x-ratelimit-* headers, and refused with 429 and Retry-After before any upstream call.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway", "tenantry.gateway.retry-backoff=PT0.01S",
        "tenantry.gateway.max-retry-wait=PT0.05S"})
class GatewayRateLimitTest extends GatewayServerTest {

    String model;

    @Autowired
    RateLimits rates;

    @Autowired
    ScopedTransactions transactions;

    @BeforeEach
    void route() {
        model = UpstreamRoute.create(api, owner, fake, "rate", null, Map.of()).model();
        freshOrganization("Rate org");
    }

    void limit(Object... fieldsAndValues) {
        Map<String, Object> body = new HashMap<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            body.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        api.patch("/api/gateway/settings").org(org).as(owner).json(body).send().expect(200);
    }

    Api.Response complete(String agentKey) {
        return complete(agentKey, 600);
    }

    Api.Response complete(String agentKey, int maxTokens) {
        return api.post("/agent/v1/chat/completions").as(agentKey).json(Map.of("model", model, "max_tokens",
                maxTokens, "messages", List.of(Map.of("role", "user", "content", "Hello there.")))).send();
    }

    @Test
    void anAgentsRequestsPerMinuteAreCountedAndTheNextIsRefusedWithRetryAfter() {
        limit("agentRequestsPerMinute", 3);
        String other = platform.issueKey(platform.createAgent(org, "Other rate agent"));
        for (int left = 2; left >= 0; left--) {
            Api.Response answer = complete(key).expect(200);
            assertThat(answer.header("x-ratelimit-limit-requests")).isEqualTo("3");
            assertThat(answer.header("x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(left));
            assertThat(answer.header("x-ratelimit-reset-requests")).matches("[0-9]{1,2}s");
            assertThat(answer.header("x-ratelimit-limit-tokens")).isNull();
        }
        Api.Response refused = complete(key).expect(429);
        JsonNode error = refused.json().path("error");
        assertThat(error.path("type").asString()).isEqualTo("rate_limit_error");
        assertThat(error.path("code").asString()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asString()).contains("agent's limit of 3 requests per minute");
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
        assertThat(refused.header("x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(fake.calls()).as("a refused call never reaches the upstream").isEqualTo(3);

        complete(other).expect(200);
        List<JsonNode> log = api.get("/api/gateway/requests").org(org).as(owner).send().expect(200).items();
        assertThat(log).filteredOn(r -> r.path("httpStatus").asInt() == 429).singleElement()
                .satisfies(r -> assertThat(r.path("status").asString()).isEqualTo("refused"));
    }

    @Test
    void concurrentCallsCountTheirOutputLimitAgainstTokensPerMinute() throws Exception {
        limit("tokensPerMinute", 2_000);
        fake.completionTokens = 400;
        fake.delayMillis = 300;
        long start = System.nanoTime();
        List<Api.Response> answers = GatewayBudgetTest.concurrently(10, () -> complete(key, 400));
        // 2,000 a minute refill 33 a second: a fifth call of about 410 needs the 55 missing
        // after four, 1.65 s of refill; a sixth 14 s more.
        int late = Duration.ofNanos(System.nanoTime() - start).toMillis() < 1_650 ? 0 : 1;
        assertThat(answers).filteredOn(a -> a.status() == 200).as("each may use 400 tokens and its prompt")
                .hasSizeBetween(4, 4 + late);
        assertThat(fake.calls()).isBetween(4, 4 + late);
    }

    @Test
    void concurrentCallsCountOneEachAgainstTheOrgsLimit() throws Exception {
        limit("requestsPerMinute", 10);
        String second = platform.issueKey(platform.createAgent(org, "Second rate agent"));
        fake.delayMillis = 100;
        int[] turn = {0};
        long start = System.nanoTime();
        List<Api.Response> answers = GatewayBudgetTest.concurrently(40, () -> {
            synchronized (turn) {
                turn[0]++;
            }
            return complete(turn[0] % 2 == 0 ? key : second);
        });
        // The allowance refills one request every 6 s: only that much more may pass while they run.
        int refilled = (int) (Duration.ofNanos(System.nanoTime() - start).toMillis() / 6_000);
        long served = answers.stream().filter(a -> a.status() == 200).count();
        assertThat(served).isBetween(10L, 10L + refilled);
        assertThat(answers).filteredOn(a -> a.status() == 429).hasSize(40 - (int) served).allSatisfy(a -> assertThat(
                a.json().path("error").path("message").asString()).contains("organization's limit of 10 requests"));
        assertThat(fake.calls()).isEqualTo((int) served);
    }

    @Test
    void tokensCountWhatCallsReallyUsedAndACallThatCannotFitIsRefused() {
        limit("agentTokensPerMinute", 1500, "tokensPerMinute", 100_000);
        fake.completionTokens = 600;
        long start = System.nanoTime();
        Api.Response first = complete(key).expect(200);
        assertThat(first.header("x-ratelimit-limit-tokens")).as("the tightest limit is the one shown")
                .isEqualTo("1500");
        complete(key).expect(200);
        Api.Response refused = complete(key).expect(429);
        assertThat(refused.json().path("error").path("code").asString()).isEqualTo("tokens_rate_limit_exceeded");
        // 1,500 a minute refill 25 a second while the calls run.
        long refilled = Duration.ofNanos(System.nanoTime() - start).toMillis() * 25 / 1_000 + 1;
        assertThat(Long.parseLong(refused.header("x-ratelimit-remaining-tokens")))
                .as("two calls of 611 real tokens used 1,222; a third may use 600 more than its prompt")
                .isBetween(278L, 278L + refilled);
        assertThat(fake.calls()).isEqualTo(2);

        limit("agentTokensPerMinute", null, "tokensPerMinute", 500);
        Api.Response tooLarge = complete(key).expect(429);
        assertThat(tooLarge.json().path("error").path("message").asString()).startsWith("Request too large")
                .contains("organization's limit of 500 tokens");
        assertThat(complete(key, 100_000).json().path("error").path("message").asString())
                .as("the output limit counts, not only the prompt").startsWith("Request too large");
        Map<String, Object> image = Map.of("type", "image_url", "image_url", Map.of("url", "https://example.test/a.png"));
        assertThat(api.post("/agent/v1/chat/completions").as(key).json(Map.of("model", model, "max_tokens", 1,
                "messages", List.of(Map.of("role", "user", "content", List.of(image))))).send().expect(429).json()
                .path("error").path("message").asString()).as("an image counts as the most one may cost")
                .startsWith("Request too large");
        limit("tokensPerMinute", null);
        Api.Response free = complete(key).expect(200);
        assertThat(free.header("x-ratelimit-limit-requests")).isNull();
        assertThat(free.header("x-ratelimit-limit-tokens")).isNull();
    }

    /**
     * A fixed minute let a limit's worth through in its last second and as many again in the
     * next one's first: twice the limit in two seconds. An allowance refills at the limit's
     * pace, whatever the clock's minute. At chosen instants, straight through the limits.
     */
    @Test
    void noMinutesStartLetsASecondLimitsWorthThrough() {
        GatewaySettings sixPerMinute = new GatewaySettings(java.util.UUID.fromString(org), null, false, "alert", null,
                null, 6, null, null);
        AgentPrincipal agent = principal();
        Instant lastSecond = Instant.parse("2026-12-06T12:00:59Z");
        for (int left = 5; left >= 0; left--) {
            Map<String, String> headers = rates.admit(agent, sixPerMinute, 10, lastSecond).orElseThrow().headers();
            assertThat(headers).containsEntry("x-ratelimit-remaining-requests", Integer.toString(left))
                    .containsEntry("x-ratelimit-reset-requests", (60 - 10 * left) + "s");
        }
        GatewayError refused = refusedAt(agent, sixPerMinute, 10, lastSecond);
        assertThat(refused.retryAfter()).as("one request refills every 10 s").isEqualTo(Duration.ofSeconds(10));

        GatewayError nextMinute = refusedAt(agent, sixPerMinute, 10, lastSecond.plusSeconds(1));
        assertThat(nextMinute.getMessage()).contains("agent's limit of 6 requests per minute is used up");
        AgentPrincipal single = principal();
        GatewaySettings onePerMinute = new GatewaySettings(java.util.UUID.fromString(org), null, false, "alert", null,
                null, 1, null, null);
        rates.admit(single, onePerMinute, 10, lastSecond).orElseThrow();
        assertThat(refusedAt(single, onePerMinute, 10, lastSecond).getMessage()).contains("limit of 1 request per");
        assertThat(nextMinute.retryAfter()).isEqualTo(Duration.ofSeconds(9));
        assertThat(nextMinute.headers()).containsEntry("x-ratelimit-remaining-requests", "0");

        rates.admit(agent, sixPerMinute, 10, lastSecond.plusSeconds(10)).orElseThrow();
        refusedAt(agent, sixPerMinute, 10, lastSecond.plusSeconds(10));
        for (int i = 0; i < 6; i++) {
            rates.admit(agent, sixPerMinute, 10, lastSecond.plusSeconds(70)).orElseThrow();
        }
        refusedAt(agent, sixPerMinute, 10, lastSecond.plusSeconds(70));
    }

    /** Tokens spend by size, a call's real tokens replace what it spent, and one larger than the limit never fits. */
    @Test
    void tokensRefillAtTheLimitsPaceAndACallsRealTokensReplaceItsEstimate() {
        GatewaySettings tokens = new GatewaySettings(java.util.UUID.fromString(org), null, false, "alert", null, null,
                null, 1_200L, null);
        AgentPrincipal agent = principal();
        Instant start = Instant.parse("2026-12-06T12:00:00Z");
        RateLimits.Admission big = rates.admit(agent, tokens, 1_000, start).orElseThrow();
        assertThat(big.headers()).containsEntry("x-ratelimit-remaining-tokens", "200")
                .containsEntry("x-ratelimit-reset-tokens", "50s");
        GatewayError refused = refusedAt(agent, tokens, 300, start);
        assertThat(refused.code()).isEqualTo("tokens_rate_limit_exceeded");
        assertThat(refused.retryAfter()).as("100 tokens more refill in 5 s").isEqualTo(Duration.ofSeconds(5));
        rates.admit(agent, tokens, 300, start.plusSeconds(5)).orElseThrow();

        AgentPrincipal second = principal();
        RateLimits.Admission estimated = rates.admit(second, tokens, 1_000, start).orElseThrow();
        OrgScope scope = OrgScope.of(java.util.UUID.fromString(org));
        transactions.writeRelaxed(scope, () -> rates.settle(scope, estimated, 200));
        assertThat(rates.admit(second, tokens, 1_000, start).orElseThrow().headers())
                .as("the call used 200 of the 1,000 it spent").containsEntry("x-ratelimit-remaining-tokens", "0");

        GatewayError tooLarge = refusedAt(principal(), tokens, 1_201, start);
        assertThat(tooLarge.getMessage()).startsWith("Request too large");
        assertThat(tooLarge.retryAfter()).isNull();
        assertThat(tooLarge.headers()).as("a whole allowance resets in no time")
                .containsEntry("x-ratelimit-remaining-tokens", "1200").containsEntry("x-ratelimit-reset-tokens", "0s");
    }

    private AgentPrincipal principal() {
        String id = platform.createAgent(org, "Allowance agent " + java.util.UUID.randomUUID());
        return new AgentPrincipal(java.util.UUID.randomUUID(), Instant.now(), java.util.UUID.fromString(id),
                "Allowance agent", "active", java.util.UUID.fromString(org), "Rate org", true, null);
    }

    private GatewayError refusedAt(AgentPrincipal agent, GatewaySettings settings, long tokens, Instant at) {
        try {
            rates.admit(agent, settings, tokens, at);
        } catch (GatewayError refused) {
            assertThat(refused.status()).isEqualTo(429);
            return refused;
        }
        throw new AssertionError("admitted at " + at);
    }

    @Test
    void limitsRefuseBadInputAndChangeNothing() {
        limit("requestsPerMinute", 60);
        for (String field : List.of("requestsPerMinute", "tokensPerMinute", "agentRequestsPerMinute",
                "agentTokensPerMinute")) {
            for (Object bad : List.of(0, -1, 1.5, "1e4000000", true, "lots", 10_000_000_000_000L)) {
                Api.Response response = api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of(field, bad))
                        .send();
                assertThat(response.status()).as(field + " = " + bad + ": " + response).isEqualTo(400);
                assertThat(response.text("field")).as(response.toString()).isEqualTo(field);
            }
        }
        JsonNode settings = api.get("/api/gateway/settings").org(org).as(owner).send().expect(200).json();
        assertThat(settings.path("requestsPerMinute").asInt()).isEqualTo(60);
        assertThat(settings.path("tokensPerMinute").isNull()).isTrue();
        api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("agent_tokens_per_minute", "5000")).send()
                .expect(200);
        assertThat(api.get("/api/gateway/settings").org(org).as(owner).send().expect(200).json()
                .path("agentTokensPerMinute").asLong()).isEqualTo(5000);
    }
}
