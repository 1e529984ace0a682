package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;

/**
 * Rate limits per org and per agent, in requests and tokens per minute: counted in the
 * database (so concurrent calls count one each), answered with OpenAI's x-ratelimit-*
 * headers, and refused with 429 and Retry-After before any upstream call.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway", "tenantry.gateway.retry-backoff=PT0.01S",
        "tenantry.gateway.max-retry-wait=PT0.05S"})
class GatewayRateLimitTest extends GatewayServerTest {

    String model;

    @BeforeEach
    void route() throws InterruptedException {
        model = UpstreamRoute.create(api, owner, fake, "rate", null, Map.of()).model();
        freshOrganization("Rate org");
        awayFromTheEndOfTheMinute();
    }

    /** Limits count per minute; a test that started late in one would see its counts reset halfway. */
    static void awayFromTheEndOfTheMinute() throws InterruptedException {
        int second = LocalTime.now(ZoneOffset.UTC).getSecond();
        if (second >= 45) {
            Thread.sleep((61 - second) * 1000L);
        }
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
        List<Api.Response> answers = GatewayBudgetTest.concurrently(10, () -> complete(key, 400));
        assertThat(answers).filteredOn(a -> a.status() == 200).as("each may use 400 tokens and its prompt")
                .hasSize(4);
        assertThat(fake.calls()).isEqualTo(4);
    }

    @Test
    void concurrentCallsCountOneEachAgainstTheOrgsLimit() throws Exception {
        limit("requestsPerMinute", 10);
        String second = platform.issueKey(platform.createAgent(org, "Second rate agent"));
        fake.delayMillis = 100;
        int[] turn = {0};
        List<Api.Response> answers = GatewayBudgetTest.concurrently(40, () -> {
            synchronized (turn) {
                turn[0]++;
            }
            return complete(turn[0] % 2 == 0 ? key : second);
        });
        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(10);
        assertThat(answers).filteredOn(a -> a.status() == 429).hasSize(30).allSatisfy(a -> assertThat(
                a.json().path("error").path("message").asString()).contains("organization's limit of 10 requests"));
        assertThat(fake.calls()).isEqualTo(10);
    }

    @Test
    void tokensCountWhatCallsReallyUsedAndACallThatCannotFitIsRefused() {
        limit("agentTokensPerMinute", 1500, "tokensPerMinute", 100_000);
        fake.completionTokens = 600;
        Api.Response first = complete(key).expect(200);
        assertThat(first.header("x-ratelimit-limit-tokens")).as("the tightest limit is the one shown")
                .isEqualTo("1500");
        complete(key).expect(200);
        Api.Response refused = complete(key).expect(429);
        assertThat(refused.json().path("error").path("code").asString()).isEqualTo("tokens_rate_limit_exceeded");
        assertThat(refused.header("x-ratelimit-remaining-tokens"))
                .as("two calls of 611 real tokens used 1,222; a third may use 600 more than its prompt")
                .isEqualTo("278");
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
