package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * The agent gateway against a fake upstream: calls relayed whole and streamed, every call
 * metered on the agent's org (measured, or counted locally and marked estimated when the
 * upstream gives no usage), and each way a gateway is known to fail: a stream without usage,
 * a client leaving mid-stream, a stream cut by the upstream, retries and fallback before the
 * first byte, refusals before any upstream call, and keys that stay the server's.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway", "tenantry.gateway.retry-backoff=PT0.01S",
        "tenantry.gateway.max-retry-wait=PT0.05S"})
class GatewayTest extends GatewayServerTest {

    static final String PLATFORM_KEY = "sk-platform-" + UUID.randomUUID();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    String keyName;
    String primary;
    String backup;
    String model;

    @BeforeEach
    void route() {
        freshOrganization("Gateway org");
        keyName = "UPSTREAM_" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/credentials").org(DefaultOrg.ID.toString()).as(owner).json(Map.of("name", keyName, "kind",
                "api_key", "value", PLATFORM_KEY, "agentReadable", false)).send().expect(201);
        primary = provider("primary", 1000, 1000);
        backup = provider("backup", 1000, 1000);
        model = "gpt-test-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", model, "targets", List.of(
                Map.of("provider", primary, "model", "upstream-primary"),
                Map.of("provider", backup, "model", "upstream-backup")))).send().expect(201);
    }

    String provider(String name, int firstByteMs, int idleMs) {
        String unique = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/providers").as(owner).json(Map.of("name", unique, "baseUrl", fake.baseUrl(),
                "keyCredential", keyName, "firstByteTimeoutMs", firstByteMs, "idleTimeoutMs", idleMs)).send()
                .expect(201);
        return unique;
    }

    static Map<String, Object> chat(String model, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "system", "content", "You are terse."),
                Map.of("role", "user", "content", "Say hello in a few words, please.")));
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    Api.Response complete(String agentKey, Map<String, Object> body) {
        return api.post("/agent/v1/chat/completions").as(agentKey).json(body).send();
    }

    /** The data lines of a streamed answer, in order. */
    List<String> stream(String agentKey, Map<String, Object> body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/agent/v1/chat/completions")).header("Authorization", "Bearer " + agentKey)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body))).build();
        HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(request,
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        return response.body().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    }

    /** The org's request log, newest first, as its owner sees it. */
    List<JsonNode> requests(String orgId) {
        return api.get("/api/gateway/requests").org(orgId).as(owner).send().expect(200).items();
    }

    JsonNode onlyRequest() {
        List<JsonNode> log = requests(org);
        assertThat(log).hasSize(1);
        return log.get(0);
    }

    Map<String, Object> usageEvent(String requestId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("""
                select org_id, agent_id, model, input_tokens, cached_input_tokens, output_tokens
                  from usage_events where event_id = :id
                """).param("id", "gateway:" + requestId).query().singleRow());
    }

    static String chatAnswer(String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"" + content + "\"},\"finish_reason\":\"stop\"}],\"usage\":"
                + "{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
    }

    /**
     * An upstream that answers one call twice, the second a moment late on the idle connection,
     * gives no later call that answer: not another organization's (their calls never share a
     * connection), nor the same organization's (a connection with bytes waiting is not taken).
     */
    @Test
    void aLateSecondAnswerToOneCallReachesNoOtherCall() throws Exception {
        java.util.concurrent.CountDownLatch late = new java.util.concurrent.CountDownLatch(1);
        try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted(
                UpstreamHttpTest.thenLate(chatAnswer("first"), chatAnswer("LEAKED"), late),
                UpstreamHttpTest.whole(chatAnswer("next")))) {
            String scripted = routeTo(upstream);
            String otherKey = platform.issueKey(platform.createAgent(platform.createOrg("Late answer org"),
                    "Late answer agent"));

            assertThat(content(complete(key, chat(scripted)).expect(200))).isEqualTo("first");
            assertThat(late.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread.sleep(50);

            assertThat(content(complete(otherKey, chat(scripted)).expect(200))).isEqualTo("next");
            assertThat(content(complete(key, chat(scripted)).expect(200))).isEqualTo("next");
            assertThat(upstream.connections.get()).as("one for the other org; a new one for the first org's next")
                    .isEqualTo(3);
        }
    }

    /** A route to a scripted upstream (one provider, no fallback): the model name agents ask for. */
    String routeTo(UpstreamHttpTest.Scripted upstream) {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/providers").as(owner).json(Map.of("name", "scripted-" + unique, "baseUrl",
                "http://127.0.0.1:" + upstream.server.getLocalPort() + "/v1", "keyCredential", keyName)).send()
                .expect(201);
        String scripted = "scripted-model-" + unique;
        api.post("/api/settings/routes").as(owner).json(Map.of("model", scripted, "targets",
                List.of(Map.of("provider", "scripted-" + unique, "model", "upstream-scripted")))).send().expect(201);
        return scripted;
    }

    /** A 200 that holds no answer is the provider's failure, not an empty answer to pass on as one. */
    @Test
    void aWholeAnswerWithoutChoicesIsAFailureNotAnEmptyAnswer() throws Exception {
        for (UpstreamHttpTest.Answer empty : List.of(UpstreamHttpTest.whole(""), UpstreamHttpTest.whole("{}"),
                UpstreamHttpTest.whole("[1,2]"), UpstreamHttpTest.whole("{\"error\":{\"message\":\"no\"}}"),
                UpstreamHttpTest.whole("{\"object\":\"chat.completion\",\"choices\":[]}"),
                UpstreamHttpTest.whole("{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"}]}"),
                (UpstreamHttpTest.Answer) (socket, out) -> UpstreamHttpTest.write(out,
                        "HTTP/1.1 204 No Content\r\n\r\n"))) {
            freshOrganization("Empty answers org");
            try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted(empty)) {
                Api.Response answer = complete(key, chat(routeTo(upstream)));

                assertThat(answer.status()).as(answer.toString()).isEqualTo(502);
                assertThat(answer.json().path("error").path("code").asString()).isEqualTo("upstream_invalid");
                JsonNode logged = onlyRequest();
                assertThat(logged.path("status").asString()).isEqualTo("error");
                assertThat(logged.path("outputTokens").asLong()).as("its bytes as text").isLessThan(20);
                assertThat(logged.path("inputTokens").asLong()).as("the prompt went upstream").isPositive();
            }
        }
    }

    /** Events sent to a call that asked for a whole answer: counted as text, but not past the limit the provider was sent. */
    @Test
    void anUnreadableAnswerIsNotBilledPastTheOutputLimitItWasSent() throws Exception {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            events.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word number ").append(i)
                    .append(" \"}}]}\n\n");
        }
        try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted(UpstreamHttpTest.whole(
                events.toString(), "Content-Type: text/event-stream\r\n"))) {
            Api.Response answer = complete(key, chat(routeTo(upstream), "max_tokens", 50));

            assertThat(answer.status()).as(answer.toString()).isEqualTo(502);
            JsonNode logged = onlyRequest();
            assertThat(logged.path("outputTokens").asLong()).isEqualTo(50);
            assertThat(logged.path("estimated").asBoolean()).isTrue();
            assertThat(usageEvent(logged.path("id").asString())).containsEntry("output_tokens", 50L);
        }
    }

    /**
     * Outside tester: a stream sent to a call that asked for a whole answer was billed by its
     * bytes as text, every event's framing included. It is billed as a stream is: by its usage,
     * else by its text; so is one its provider calls JSON.
     */
    @Test
    void aStreamSentToACallThatAskedForAWholeAnswerIsBilledAsAStream() throws Exception {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            events.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",")
                    .append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \"}}]}\n\n");
        }
        String usage = "data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
                + "\"completion_tokens\":23,\"total_tokens\":32}}\n\n";
        record Sent(String stream, String type) {
        }
        for (Sent sent : List.of(new Sent(events + usage + "data: [DONE]\n\n", "text/event-stream"),
                new Sent(events.toString(), "text/event-stream"),
                new Sent(events + usage + "data: [DONE]\n\n", "application/json"))) {
            String stream = sent.stream();
            freshOrganization("Streamed whole answers org");
            try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted(UpstreamHttpTest.whole(stream,
                    "Content-Type: " + sent.type() + "\r\n"))) {
                Api.Response answer = complete(key, chat(routeTo(upstream)));

                assertThat(answer.status()).as(answer.toString()).isEqualTo(502);
                assertThat(answer.json().path("error").path("code").asString()).isEqualTo("upstream_invalid");
                JsonNode logged = onlyRequest();
                long output = logged.path("outputTokens").asLong();
                if (stream.contains("usage")) {
                    assertThat(output).as("the stream's own usage").isEqualTo(23);
                } else {
                    assertThat(output).as("its text, 20 words, not its %d bytes", stream.length()).isBetween(15L, 25L);
                    assertThat(logged.path("estimated").asBoolean()).isTrue();
                }
                assertThat(usageEvent(logged.path("id").asString())).containsEntry("output_tokens", output);
            }
        }
    }

    /** A provider that ignores the limit on a whole answer: billed as it answered (it charged for it), and marked. */
    @Test
    void aWholeAnswerPastItsOutputLimitIsBilledAsItCameAndMarked() throws Exception {
        String words = "word ".repeat(2_000);
        try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted(UpstreamHttpTest.whole(
                chatAnswer(words).replace("\"completion_tokens\":2", "\"completion_tokens\":2000")))) {
            Api.Response answer = complete(key, chat(routeTo(upstream), "max_tokens", 50)).expect(200);

            assertThat(content(answer)).isEqualTo(words);
            JsonNode logged = onlyRequest();
            assertThat(logged.path("status").asString()).isEqualTo("ok");
            assertThat(logged.path("errorCode").asString()).isEqualTo("output_limit");
            assertThat(logged.path("outputTokens").asLong()).isGreaterThanOrEqualTo(2_000);
        }
    }

    /**
     * With output rules, a streamed event that is not JSON is not passed on: its text was judged
     * as written, and a lenient reader (Python's, which takes NaN) decodes escapes the rules
     * never saw ("forbidden\\u0077ord").
     */
    @Test
    void anEventTheGuardrailsCannotReadAsItsClientWouldIsNotPassedOn() throws Exception {
        api.post("/api/guardrails/rules").org(org).as(owner).json(Map.of("name", "No forbidden word", "type",
                "keyword", "keywords", List.of("forbiddenword"), "direction", "output", "action", "block")).send()
                .expect(201);
        String event = "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"x\":NaN,\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"Here is the forbidden\\u0077ord\"},\"finish_reason\":null}]}\n\n";
        try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted(UpstreamHttpTest.whole(
                event + "data: [DONE]\n\n", "Content-Type: text/event-stream\r\n"))) {
            List<String> received = stream(key, chat(routeTo(upstream), "stream", true));

            assertThat(received).noneMatch(line -> line.contains("forbidden"));
            assertThat(received.get(received.size() - 1)).contains("upstream_invalid");
            assertThat(onlyRequest().path("status").asString()).isNotEqualTo("ok");
        }
    }

    /** A stream that ends before any choice came answered nothing: it does not end as if the model had. */
    @Test
    void aStreamWithoutAnyChoiceDoesNotEndClean() throws Exception {
        try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted(UpstreamHttpTest.whole(
                "data: {\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":0}}\n\n"
                        + "data: [DONE]\n\n", "Content-Type: text/event-stream\r\n"))) {
            List<String> received = stream(key, chat(routeTo(upstream), "stream", true));

            assertThat(received).doesNotContain("[DONE]");
            assertThat(received.get(received.size() - 1)).contains("upstream_invalid");
            JsonNode logged = onlyRequest();
            assertThat(logged.path("status").asString()).isEqualTo("cut");
            assertThat(logged.path("errorCode").asString()).isEqualTo("upstream_invalid");
        }
    }

    /** A head came, then an unreadable body: the upstream had begun, so the call is not sent again. */
    @Test
    void anAnswerThatBreaksAfterItsHeadIsNotSentAgain() throws Exception {
        try (UpstreamHttpTest.Scripted upstream = new UpstreamHttpTest.Scripted((socket, out) -> UpstreamHttpTest.write(
                out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\n" + chatAnswer("garbled") + "\r\n0\r\n\r\n"))) {
            Api.Response answer = complete(key, chat(routeTo(upstream)));

            assertThat(answer.status()).as(answer.toString()).isEqualTo(502);
            assertThat(answer.json().path("error").path("code").asString()).isEqualTo("upstream_cut");
            assertThat(upstream.requests).as("sent once").hasSize(1);
            assertThat(onlyRequest().path("attempts").asInt()).isEqualTo(1);
        }
    }

    static String content(Api.Response answer) {
        return answer.json().path("choices").get(0).path("message").path("content").asString();
    }

    @Test
    void theStatsSumTheOrgsCallsPerBucket() throws Exception {
        complete(key, chat(model)).expect(200);
        stream(key, chat(model, "stream", true));
        complete(key, chat("no-such-model")).expect(404);

        JsonNode day = api.get("/api/gateway/stats").org(org).as(owner).send().expect(200).json();
        assertThat(day.path("bucketSeconds").asInt()).isEqualTo(3600);
        assertThat(day.path("buckets")).hasSize(24);
        long requests = 0;
        long refused = 0;
        long input = 0;
        long output = 0;
        boolean timed = false;
        for (JsonNode bucket : day.path("buckets")) {
            requests += bucket.path("requests").asLong();
            refused += bucket.path("refused").asLong();
            input += bucket.path("inputTokens").asLong();
            output += bucket.path("outputTokens").asLong();
            timed |= bucket.path("latencyP95Ms").isNumber() && bucket.path("firstTokenP50Ms").isNumber();
        }
        assertThat(requests).isEqualTo(3);
        assertThat(refused).isEqualTo(1);
        assertThat(input).as("8 input and 3 cached tokens, twice").isEqualTo(22);
        assertThat(output).isEqualTo(14);
        assertThat(timed).isTrue();
        assertThat(api.get("/api/gateway/stats?range=month").org(org).as(owner).send().expect(200).json()
                .path("buckets")).hasSize(30);
        assertThat(api.get("/api/gateway/stats?range=year").org(org).as(owner).send().expect(400).text("field"))
                .isEqualTo("range");
        String otherOrg = platform.createOrg("Quiet gateway org");
        assertThat(api.get("/api/gateway/stats").org(otherOrg).as(owner).send().expect(200).json().path("buckets"))
                .allSatisfy(b -> assertThat(b.path("requests").asLong()).isZero());
    }

    @Test
    void aWholeAnswerIsRelayedAndMeteredOnTheAgentsOrg() {
        Api.Response answer = complete(key, chat(model, "temperature", 0.2, "response_format",
                Map.of("type", "json_object"))).expect(200);
        assertThat(answer.json().path("choices").get(0).path("message").path("content").asString())
                .isEqualTo(FakeUpstream.TEXT);
        FakeUpstream.Received sent = fake.received.get(0);
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + PLATFORM_KEY);
        assertThat(sent.body().path("model").asString()).isEqualTo("upstream-primary");
        assertThat(sent.body().path("response_format").path("type").asString()).isEqualTo("json_object");
        assertThat(sent.body().path("temperature").decimalValue()).isEqualByComparingTo("0.2");
        assertThat(answer.body()).doesNotContain(PLATFORM_KEY);

        JsonNode logged = onlyRequest();
        assertThat(logged.path("status").asString()).isEqualTo("ok");
        assertThat(logged.path("model").asString()).isEqualTo(model);
        assertThat(logged.path("provider").asString()).isEqualTo(primary);
        assertThat(logged.path("upstreamModel").asString()).isEqualTo("upstream-primary");
        assertThat(logged.path("inputTokens").asLong()).isEqualTo(8);
        assertThat(logged.path("cachedInputTokens").asLong()).isEqualTo(3);
        assertThat(logged.path("outputTokens").asLong()).isEqualTo(7);
        assertThat(logged.path("estimated").asBoolean()).isFalse();
        assertThat(logged.path("byok").asBoolean()).isFalse();
        assertThat(logged.path("agentId").asString()).isEqualTo(agent);
        assertThat(logged.has("prompt")).as("no content without content logging").isFalse();

        Map<String, Object> usage = usageEvent(logged.path("id").asString());
        assertThat(usage.get("org_id").toString()).isEqualTo(org);
        assertThat(usage.get("model")).isEqualTo("upstream-primary");
        assertThat(((Number) usage.get("input_tokens")).longValue()).isEqualTo(8);
        assertThat(((Number) usage.get("cached_input_tokens")).longValue()).isEqualTo(3);
        assertThat(((Number) usage.get("output_tokens")).longValue()).isEqualTo(7);
    }

    @Test
    void aStreamIsRelayedWithTheUsageChunkOnlyWhenTheClientAskedForIt() throws Exception {
        List<String> events = stream(key, chat(model, "stream", true));
        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(events).noneMatch(e -> e.contains("\"usage\""));
        assertThat(String.join("", events)).contains("Hello from the fake upstream,").contains(" chunks.");
        assertThat(fake.received.get(0).body().path("stream_options").path("include_usage").asBoolean()).isTrue();
        JsonNode logged = onlyRequest();
        assertThat(logged.path("stream").asBoolean()).isTrue();
        assertThat(logged.path("outputTokens").asLong()).isEqualTo(7);
        assertThat(logged.path("estimated").asBoolean()).isFalse();
        assertThat(logged.path("firstTokenMs").isNumber()).isTrue();

        List<String> withUsage = stream(key, chat(model, "stream", true, "stream_options", Map.of("include_usage",
                true)));
        assertThat(withUsage).anyMatch(e -> e.contains("\"usage\"") && e.contains("\"prompt_tokens\":11"));
        assertThat(withUsage).last().isEqualTo("[DONE]");
    }

    @Test
    void withoutUsageOrWithZeroUsageTheGatewayCountsTheTokensItself() throws Exception {
        fake.then(FakeUpstream.Mode.NO_USAGE, FakeUpstream.Mode.ZERO_USAGE, FakeUpstream.Mode.NO_USAGE);
        stream(key, chat(model, "stream", true));
        stream(key, chat(model, "stream", true));
        complete(key, chat(model)).expect(200);
        List<JsonNode> log = requests(org);
        assertThat(log).hasSize(3);
        for (JsonNode call : log) {
            assertThat(call.path("estimated").asBoolean()).isTrue();
            assertThat(call.path("inputTokens").asLong()).isGreaterThan(10);
            assertThat(call.path("outputTokens").asLong()).isGreaterThan(5);
            Map<String, Object> usage = usageEvent(call.path("id").asString());
            assertThat(((Number) usage.get("output_tokens")).longValue()).isEqualTo(call.path("outputTokens")
                    .asLong());
        }
    }

    /**
     * A count that is not one (too large, negative, fractional, a string) or a count of no
     * output for an answer with text: the gateway counts the output itself, marked estimated,
     * and takes the upstream's count of the prompt where that one is good.
     */
    @Test
    void anAnswersOutputIsNeverBilledAsNothingForACountThatIsNotOne() throws Exception {
        for (String completion : List.of("1e+30", "99999999999999999999999", "1000000000000", "-5", "2.5", "\"5000\"",
                "0")) {
            fake.usageJson = "{\"prompt_tokens\":11,\"completion_tokens\":" + completion + "}";
            stream(key, chat(model, "stream", true));
            complete(key, chat(model)).expect(200);
            for (JsonNode call : requests(org).subList(0, 2)) {
                assertThat(call.path("outputTokens").asLong()).as("output for completion_tokens " + completion)
                        .isGreaterThan(5);
                assertThat(call.path("inputTokens").asLong()).as("the upstream's good count of the prompt")
                        .isEqualTo(11);
                assertThat(call.path("estimated").asBoolean()).isTrue();
                assertThat(((Number) usageEvent(call.path("id").asString()).get("output_tokens")).longValue())
                        .isEqualTo(call.path("outputTokens").asLong());
            }
        }
        fake.usageJson = "{\"prompt_tokens\":-1,\"completion_tokens\":9}";
        complete(key, chat(model)).expect(200);
        JsonNode call = requests(org).get(0);
        assertThat(call.path("outputTokens").asLong()).isEqualTo(9);
        assertThat(call.path("inputTokens").asLong()).as("a prompt counted by the gateway").isGreaterThan(5);
        assertThat(call.path("estimated").asBoolean()).isTrue();
    }

    /**
     * A prompt counted far below its own text (three hundred words as one token) is counted by
     * the gateway, framing included, marked estimated; another tokenizer's honest count stays as
     * given. The same for an embedding's input.
     */
    @Test
    void anUpstreamsPromptCountFarBelowThePromptsTextIsNotTaken() throws Exception {
        String words = " hello".repeat(300);
        assertThat(TokenEstimate.text(words)).isEqualTo(300);
        Map<String, Object> longPrompt = chat(model, "messages", List.of(Map.of("role", "system", "content",
                "You are terse."), Map.of("role", "user", "content", words)));
        long framed = 3 + 4 * 2 + TokenEstimate.text("You are terse.") + 300;
        fake.usageJson = "{\"prompt_tokens\":1,\"completion_tokens\":7}";
        complete(key, longPrompt).expect(200);
        stream(key, chat(model, "stream", true, "messages", longPrompt.get("messages")));
        fake.usageJson = "{\"prompt_tokens\":260,\"completion_tokens\":7}";
        complete(key, longPrompt).expect(200);
        fake.usageJson = "{\"prompt_tokens\":2,\"completion_tokens\":0}";
        api.post("/agent/v1/embeddings").as(key).json(Map.of("model", model, "input", List.of(words, "more")))
                .send().expect(200);
        fake.usageJson = "{\"prompt_tokens\":290,\"completion_tokens\":0}";
        api.post("/agent/v1/embeddings").as(key).json(Map.of("model", model, "input", words)).send().expect(200);

        List<JsonNode> log = requests(org);
        assertThat(log).hasSize(5);
        java.util.function.BiConsumer<JsonNode, Long> billed = (call, tokens) -> {
            assertThat(call.path("inputTokens").asLong()).isEqualTo(tokens);
            assertThat(((Number) usageEvent(call.path("id").asString()).get("input_tokens")).longValue())
                    .isEqualTo(tokens);
        };
        for (JsonNode call : log.subList(3, 5)) {
            billed.accept(call, framed);
            assertThat(call.path("estimated").asBoolean()).as("1 for a prompt of three hundred words").isTrue();
        }
        billed.accept(log.get(2), 260L);
        assertThat(log.get(2).path("estimated").asBoolean()).as("260: another tokenizer's count").isFalse();
        billed.accept(log.get(1), 300L + TokenEstimate.text("more"));
        assertThat(log.get(1).path("estimated").asBoolean()).as("2 for an input of three hundred words").isTrue();
        billed.accept(log.get(0), 290L);
        assertThat(log.get(0).path("estimated").asBoolean()).isFalse();
    }

    /**
     * An upstream that sends its usage on an early chunk and none at the end may have
     * counted only what came before it, or the whole answer ahead: the call counts as the
     * larger of its count and the gateway's own count of the whole text, never as free and
     * never twice, marked estimated.
     */
    @Test
    void textStreamedAfterTheUpstreamsLastUsageIsNeverFreeNorCountedTwice() throws Exception {
        List<String> chunks = new ArrayList<>();
        chunks.add(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":\"One\"},"
                + "\"finish_reason\":null}]").replaceFirst("}$", ",\"usage\":{\"prompt_tokens\":20,"
                + "\"completion_tokens\":1}}"));
        StringBuilder rest = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            String word = " word" + i;
            rest.append(word);
            chunks.add(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":\"" + word
                    + "\"},\"finish_reason\":" + (i == 99 ? "\"stop\"" : "null") + "}]"));
        }
        fake.then(FakeUpstream.Mode.NO_USAGE);
        fake.streamChunks = chunks;
        assertThat(stream(key, chat(model, "stream", true))).last().isEqualTo("[DONE]");

        JsonNode logged = onlyRequest();
        assertThat(logged.path("status").asString()).isEqualTo("ok");
        assertThat(logged.path("inputTokens").asLong()).as("the upstream's count of the prompt").isEqualTo(20);
        assertThat(logged.path("outputTokens").asLong()).as("the gateway's count of the whole text, larger than the "
                + "upstream's early 1").isEqualTo(TokenEstimate.text("One" + rest));
        assertThat(logged.path("estimated").asBoolean()).isTrue();
        assertThat(((Number) usageEvent(logged.path("id").asString()).get("output_tokens")).longValue())
                .isEqualTo(logged.path("outputTokens").asLong());

        long whole = TokenEstimate.text(rest);
        chunks.set(0, GatewayGuardrailTest.chunkOf("[]").replaceFirst("}$", ",\"usage\":{\"prompt_tokens\":20,"
                + "\"completion_tokens\":" + whole + "}}"));
        fake.then(FakeUpstream.Mode.NO_USAGE);
        stream(key, chat(model, "stream", true));
        JsonNode ahead = requests(org).get(0);
        assertThat(ahead.path("outputTokens").asLong()).as("a count given ahead of the text, not added to it")
                .isEqualTo(whole);
        assertThat(ahead.path("estimated").asBoolean()).isTrue();
    }

    /**
     * An event too large to read (past 8 MB) ends the stream as the upstream's fault, and what
     * was read of it is billed as text at a token per four bytes: it was generated all the
     * same, and a call is never billed at nothing for what it streamed.
     */
    @Test
    void anEventTooLargeToReadIsBilledForWhatWasReadOfIt() throws Exception {
        String huge = "x".repeat(9 * 1024 * 1024);
        fake.then(FakeUpstream.Mode.NO_USAGE);
        fake.streamChunks = List.of(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":\"" + huge
                + "\"},\"finish_reason\":null}]"));
        List<String> events = stream(key, chat(model, "stream", true));

        assertThat(events).isNotEmpty().doesNotContain("[DONE]");
        assertThat(events.get(events.size() - 1)).contains("upstream_invalid");
        JsonNode logged = onlyRequest();
        assertThat(logged.path("errorCode").asString()).isEqualTo("upstream_invalid");
        assertThat(logged.path("outputTokens").asLong()).as("8 MB read, at four bytes a token")
                .isGreaterThanOrEqualTo(8L * 1024 * 1024 / 4);
        assertThat(logged.path("estimated").asBoolean()).isTrue();
        assertThat(((Number) usageEvent(logged.path("id").asString()).get("output_tokens")).longValue())
                .isEqualTo(logged.path("outputTokens").asLong());
    }

    /**
     * An upstream's count is not taken past what it could be: far below the text it sent
     * (a hundred words counted as one token), the gateway counts the text; above the output
     * limit it was sent, it counts as that limit. Both are marked estimated; an honest count
     * stays as given.
     */
    @Test
    void anUpstreamsCountBeyondWhatItCouldBeIsNotTaken() throws Exception {
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            words.append(" hello");
        }
        long hundred = TokenEstimate.text(words);
        assertThat(hundred).isEqualTo(100);
        fake.wholeAnswer = words.toString();
        fake.streamChunks = List.of(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":\""
                + words + "\"},\"finish_reason\":\"stop\"}]"));
        fake.usageJson = "{\"prompt_tokens\":11,\"completion_tokens\":1}";
        complete(key, chat(model)).expect(200);
        stream(key, chat(model, "stream", true));
        fake.usageJson = "{\"prompt_tokens\":11,\"completion_tokens\":70}";
        complete(key, chat(model)).expect(200);
        fake.usageJson = "{\"prompt_tokens\":11,\"completion_tokens\":95}";
        complete(key, chat(model)).expect(200);
        fake.usageJson = "{\"prompt_tokens\":11,\"completion_tokens\":999999}";
        complete(key, chat(model, "max_tokens", 150)).expect(200);
        stream(key, chat(model, "stream", true, "max_tokens", 150, "n", 1));
        complete(key, chat(model, "max_tokens", 50)).expect(200);

        List<JsonNode> log = requests(org);
        assertThat(log).hasSize(7);
        java.util.function.BiConsumer<JsonNode, Long> billed = (call, tokens) -> {
            assertThat(call.path("inputTokens").asLong()).isEqualTo(11);
            assertThat(call.path("outputTokens").asLong()).isEqualTo(tokens);
            assertThat(((Number) usageEvent(call.path("id").asString()).get("output_tokens")).longValue())
                    .isEqualTo(tokens);
        };
        for (JsonNode call : log.subList(5, 7)) {
            billed.accept(call, hundred);
            assertThat(call.path("estimated").asBoolean()).as("1 for a hundred words").isTrue();
        }
        billed.accept(log.get(4), hundred);
        assertThat(log.get(4).path("estimated").asBoolean()).as("70 for a hundred words").isTrue();
        billed.accept(log.get(3), 95L);
        assertThat(log.get(3).path("estimated").asBoolean()).as("95: another tokenizer's count").isFalse();
        for (JsonNode call : log.subList(1, 3)) {
            billed.accept(call, 150L);
            assertThat(call.path("estimated").asBoolean()).as("999,999 for a limit of 150").isTrue();
        }
        billed.accept(log.get(0), hundred);
        assertThat(log.get(0).path("estimated").asBoolean()).as("999,999 for a limit of 50, the text longer")
                .isTrue();
    }

    /**
     * Some upstreams (vLLM asked for continuous usage) send a running count with every chunk:
     * the last one counts the whole answer. A stream the client left counts only what had
     * been generated by then, and is marked estimated: the upstream may have gone on.
     */
    @Test
    void anUpstreamsRunningCountIsTakenAtItsLastAndAStreamLeftEarlyIsEstimated() throws Exception {
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            chunks.add(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":\"word" + i
                    + " \"},\"finish_reason\":" + (i == 59 ? "\"stop\"" : "null") + "}]")
                    .replaceFirst("}$", ",\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":" + (3 * i + 3)
                            + "}}"));
        }
        fake.then(FakeUpstream.Mode.NO_USAGE, FakeUpstream.Mode.NO_USAGE);
        fake.streamChunks = chunks;
        stream(key, chat(model, "stream", true));
        JsonNode whole = onlyRequest();
        assertThat(whole.path("outputTokens").asLong()).isEqualTo(180);
        assertThat(whole.path("estimated").asBoolean()).isFalse();

        fake.streamGapMillis = 50;
        readThreeWordsAndLeave();
        JsonNode left = null;
        for (int i = 0; i < 100 && left == null; i++) {
            List<JsonNode> log = requests(org);
            left = log.size() == 2 ? log.get(0) : null;
            Thread.sleep(left == null ? 100 : 0);
        }
        assertThat(left).as("the abandoned call is logged").isNotNull();
        assertThat(left.path("status").asString()).isEqualTo("cancelled");
        assertThat(left.path("outputTokens").asLong()).as("the upstream's count when the client left")
                .isBetween(9L, 177L).isEqualTo(left.path("outputTokens").asLong() / 3 * 3);
        assertThat(left.path("estimated").asBoolean()).isTrue();
    }

    /**
     * Log probabilities repeat the answer's tokens with their alternatives: counted as text,
     * a stream that asked for them would be billed about three times its answer when the
     * provider reports no usage.
     */
    @Test
    void aStreamsLogProbabilitiesAreNotCountedAsItsTokens() throws Exception {
        String[] words = "The quarterly report shows steady growth across every region this year".split(" ");
        StringBuilder logprobs = new StringBuilder();
        for (String word : words) {
            String token = "{\"token\":\"" + word + " \",\"logprob\":-0.1,\"bytes\":[84]";
            logprobs.append(logprobs.isEmpty() ? "" : ",").append(token).append(",\"top_logprobs\":[").append(token)
                    .append("},{\"token\":\"Another \",\"logprob\":-2.5,\"bytes\":[65]}]}");
        }
        String content = String.join(" ", words) + " ";
        fake.then(FakeUpstream.Mode.NO_USAGE, FakeUpstream.Mode.NO_USAGE);
        fake.streamChunks = List.of(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":\"" + content
                + "\"},\"finish_reason\":\"stop\"}]"));
        stream(key, chat(model, "stream", true));
        fake.streamChunks = List.of(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":\"" + content
                + "\"},\"logprobs\":{\"content\":[" + logprobs + "]},\"finish_reason\":\"stop\"}]"));
        List<String> events = stream(key, chat(model, "stream", true, "logprobs", true, "top_logprobs", 2));

        assertThat(String.join("", events)).as("the client gets them").contains("top_logprobs");
        List<JsonNode> log = requests(org);
        assertThat(log).hasSize(2).allSatisfy(call -> assertThat(call.path("estimated").asBoolean()).isTrue());
        assertThat(log.get(0).path("outputTokens").asLong()).isPositive()
                .isEqualTo(log.get(1).path("outputTokens").asLong());
    }

    /**
     * Without usage from the provider, an answer is counted locally, and the same answer costs
     * the same streamed or not: its reasoning and its tool calls count either way (a whole
     * answer's reasoning went unbilled), and the names of its JSON fields never do.
     */
    @Test
    void anAnswerCountedLocallyCostsTheSameStreamedOrNot() throws Exception {
        String reasoning = "The user asks for the weather in Paris, so the forecast tool is the one to call first";
        String arguments = "{\\\"city\\\":\\\"Paris\\\",\\\"days\\\":3}";
        fake.then(FakeUpstream.Mode.NO_USAGE, FakeUpstream.Mode.NO_USAGE, FakeUpstream.Mode.NO_USAGE);
        fake.streamChunks = List.of(
                GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"reasoning_content\":\"" + reasoning
                        + "\"}}]"),
                GatewayGuardrailTest.toolCallOpening(0, "call_1", "get_forecast", arguments),
                GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]"));
        stream(key, chat(model, "stream", true));
        fake.wholeMessage = "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"" + reasoning
                + "\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_forecast\",\"arguments\":\"" + arguments + "\"}}]}";
        complete(key, chat(model)).expect(200);
        fake.wholeMessage = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_forecast\",\"arguments\":\"" + arguments
                + "\"}}]}";
        complete(key, chat(model)).expect(200);

        List<JsonNode> log = requests(org);
        assertThat(log).hasSize(3).allSatisfy(call -> assertThat(call.path("estimated").asBoolean()).isTrue());
        JsonNode streamed = log.stream().filter(c -> c.path("stream").asBoolean()).findFirst().orElseThrow();
        List<Long> whole = log.stream().filter(c -> !c.path("stream").asBoolean())
                .map(c -> c.path("outputTokens").asLong()).sorted().toList();
        assertThat(whole.get(1)).as("the whole answer with its reasoning, as streamed")
                .isEqualTo(streamed.path("outputTokens").asLong());
        assertThat(whole.get(1) - whole.get(0)).as("the reasoning's own tokens").isGreaterThan(10);
    }

    /** A whole answer cut after it began: the provider read the prompt, which is billed, estimated. */
    @Test
    void aWholeAnswerCutByTheUpstreamBillsItsPrompt() {
        fake.then(FakeUpstream.Mode.WHOLE_CUT);

        JsonNode error = complete(key, chat(model)).expect(502).json().path("error");

        assertThat(error.path("code").asString()).isEqualTo("upstream_cut");
        JsonNode logged = onlyRequest();
        assertThat(logged.path("status").asString()).isEqualTo("error");
        assertThat(logged.path("inputTokens").asLong()).as("the prompt, counted by the gateway")
                .isEqualTo(TokenEstimate.prompt((tools.jackson.databind.node.ObjectNode) Api.JSON.valueToTree(
                        chat(model)), 0));
        assertThat(logged.path("outputTokens").asLong()).isZero();
        assertThat(logged.path("estimated").asBoolean()).isTrue();
        assertThat(usageEvent(logged.path("id").asString())).isNotNull();
    }

    /**
     * A stream that ended well leaves its upstream connection open for the next call: a new
     * one per stream would cost a connection, and with a TLS provider a handshake, before
     * every next call's first token.
     */
    @Test
    void aFinishedStreamLeavesItsUpstreamConnectionForTheNextCall() throws Exception {
        stream(key, chat(model, "stream", true));
        stream(key, chat(model, "stream", true));
        complete(key, chat(model)).expect(200);

        assertThat(fake.received).extracting(FakeUpstream.Received::fromPort).as("one connection for all three")
                .hasSize(3).containsOnly(fake.received.get(0).fromPort());
    }

    /** An answer the gateway cannot read (nested past its parser's limit) was still answered, and is billed. */
    @Test
    void anAnswerTheGatewayCannotReadIsCountedByTheGateway() {
        fake.wholeMessage = "{\"role\":\"assistant\",\"content\":\"Hi\",\"x\":" + "[".repeat(5_000)
                + "]".repeat(5_000) + "}";
        complete(key, chat(model)).expect(502);
        JsonNode logged = requests(org).get(0);
        assertThat(logged.path("status").asString()).isEqualTo("error");
        assertThat(logged.path("estimated").asBoolean()).isTrue();
        assertThat(logged.path("inputTokens").asLong()).isPositive();
        assertThat(logged.path("outputTokens").asLong()).as("its bytes counted as text, which errs up").isPositive();
    }

    @Test
    void aStreamCutByTheUpstreamEndsWithAnErrorAndIsBilledForWhatWasStreamed() throws Exception {
        fake.then(FakeUpstream.Mode.CUT, FakeUpstream.Mode.STALL);
        for (int i = 0; i < 2; i++) {
            List<String> events = stream(key, chat(model, "stream", true));
            assertThat(events).doesNotContain("[DONE]");
            assertThat(events.get(events.size() - 1)).contains("\"error\"").contains("upstream_stream_cut");
            assertThat(String.join("", events)).contains("Hello from the fake upstream,");
        }
        for (JsonNode call : requests(org)) {
            assertThat(call.path("status").asString()).isEqualTo("cut");
            assertThat(call.path("outputTokens").asLong()).isGreaterThan(0);
            assertThat(call.path("estimated").asBoolean()).isTrue();
            assertThat(usageEvent(call.path("id").asString())).isNotNull();
        }
    }

    /** Asks for a streamed chat on {@code socket}, a connection of the test's own that it may close at any point. */
    BufferedReader streamOn(Socket socket) throws java.io.IOException {
        sendChat(socket, Api.JSON.writeValueAsBytes(chat(model, "stream", true)));
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Streams a chat on a connection of the test's own, and closes it once three words came. */
    void readThreeWordsAndLeave() throws java.io.IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            BufferedReader in = streamOn(socket);
            int words = 0;
            for (String line = in.readLine(); line != null && words < 3; line = in.readLine()) {
                if (line.contains("word")) {
                    words++;
                }
            }
            assertThat(words).isEqualTo(3);
        }
    }

    /** The org's newest request log line, waited for up to 10 s (a call is logged once it ends); null if none. */
    JsonNode newestLoggedCall() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            List<JsonNode> log = requests(org);
            if (!log.isEmpty()) {
                return log.get(0);
            }
            Thread.sleep(100);
        }
        return null;
    }

    /**
     * An upstream that keeps a quiet stream open with comments sends bytes, so its idle
     * timeout never runs out, and the client gets none of them: a stream the client left
     * must still end, its upstream stopped and its place given back.
     */
    @Test
    void aClientThatLeavesWhileTheUpstreamSendsOnlyCommentsCancelsTheUpstream() throws Exception {
        List<String> chunks = new java.util.ArrayList<>();
        chunks.add("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":null}]}");
        for (int i = 0; i < 100; i++) {
            chunks.add(": ping");
        }
        fake.streamChunks = chunks;
        fake.streamGapMillis = 100;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            BufferedReader in = streamOn(socket);
            String line = in.readLine();
            while (line != null && !line.contains("Hello")) {
                line = in.readLine();
            }
            assertThat(line).as("the first text reached the client").isNotNull();
        }
        JsonNode logged = newestLoggedCall();
        assertThat(logged).as("the abandoned call is logged before the upstream's 10 s of comments end").isNotNull();
        assertThat(logged.path("status").asString()).isEqualTo("cancelled");
        assertThat(logged.path("errorCode").asString()).isEqualTo("client_closed");
        assertThat(fake.scriptedChunksSent).as("the upstream stopped when the client left").isLessThan(80);
    }

    @Test
    void aClientThatLeavesMidStreamCancelsTheUpstreamAndIsBilledForWhatWasGenerated() throws Exception {
        fake.then(FakeUpstream.Mode.SLOW_STREAM);
        readThreeWordsAndLeave();
        JsonNode logged = newestLoggedCall();
        assertThat(logged).as("the abandoned call is logged").isNotNull();
        assertThat(logged.path("status").asString()).isEqualTo("cancelled");
        assertThat(logged.path("outputTokens").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(logged.path("estimated").asBoolean()).isTrue();
        assertThat(usageEvent(logged.path("id").asString())).isNotNull();
        Thread.sleep(300);
        assertThat(fake.slowChunksSent).as("the upstream stopped when the client left").isLessThan(200);
    }

    @Test
    void failuresBeforeTheFirstByteAreRetriedThenTheNextUpstreamServes() {
        fake.then(FakeUpstream.Mode.RATE_LIMITED);
        complete(key, chat(model)).expect(200);
        assertThat(requests(org).get(0).path("attempts").asInt()).isEqualTo(2);
        assertThat(route(requests(org).get(0))).as("the route taken, target by target")
                .containsExactly(primary + " upstream-primary 2 answered");

        fake.reset();
        fake.then(FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING);
        complete(key, chat(model)).expect(200);
        assertThat(fake.received).extracting(r -> r.body().path("model").asString()).containsExactly(
                "upstream-primary", "upstream-primary", "upstream-primary", "upstream-backup");
        JsonNode fellBack = requests(org).get(0);
        assertThat(fellBack.path("provider").asString()).isEqualTo(backup);
        assertThat(fellBack.path("attempts").asInt()).isEqualTo(4);
        assertThat(route(fellBack)).as("the fallback is visible: the first target's failures, then the answer")
                .containsExactly(primary + " upstream-primary 3 upstream_error",
                        backup + " upstream-backup 1 answered");

        fake.then(FakeUpstream.Mode.SLOW_FIRST_BYTE);
        complete(key, chat(model)).expect(200);
        assertThat(requests(org).get(0).path("attempts").asInt()).isEqualTo(2);

        fake.then(java.util.Collections.nCopies(6, FakeUpstream.Mode.RATE_LIMITED)
                .toArray(FakeUpstream.Mode[]::new));
        Api.Response limited = complete(key, chat(model)).expect(429);
        assertThat(limited.header("Retry-After")).isNotNull();
        assertThat(limited.json().path("error").path("type").asString()).isEqualTo("rate_limit_error");
        JsonNode failed = requests(org).get(0);
        assertThat(failed.path("status").asString()).isEqualTo("error");
        assertThat(failed.path("attempts").asInt()).isEqualTo(6);
        assertThat(route(failed)).containsExactly(primary + " upstream-primary 3 upstream_rate_limited",
                backup + " upstream-backup 3 upstream_rate_limited");
        assertThat(failed.path("provider").asString()).isEqualTo(backup);
    }

    @Test
    void refusalsComeBeforeAnyUpstreamCallAsOpenAiErrors() {
        api.post("/api/agents/" + agent + "/pause").as(owner).json(Map.of("reason", "test")).send().expect(200);
        Api.Response paused = complete(key, chat(model)).expect(403);
        assertThat(paused.json().path("error").path("code").asString()).isEqualTo("agent_paused");
        assertThat(api.get("/agent/v1/models").as(key).send().expect(403).json().path("error").path("code")
                .asString()).as("the same code on every OpenAI route").isEqualTo("agent_paused");
        api.post("/api/agents/" + agent + "/resume").as(owner).json(Map.of("reason", "test")).send().expect(200);

        api.patch("/api/organizations/" + org).as(owner).json(Map.of("active", false)).send().expect(200);
        assertThat(complete(key, chat(model)).expect(403).json().path("error").path("code").asString())
                .isEqualTo("organization_inactive");
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("active", true)).send().expect(200);

        assertThat(complete(key, chat("no-such-model")).expect(404).json().path("error").path("code").asString())
                .isEqualTo("model_not_found");
        assertThat(complete(key, Map.of("model", model)).expect(400).json().path("error").path("type").asString())
                .isEqualTo("invalid_request_error");
        assertThat(api.post("/agent/v1/chat/completions").as(key).raw("{\"model\":").send().expect(400).json()
                .path("error").path("code").asString()).isEqualTo("invalid_json");
        assertThat(complete(key, chat(model, "max_tokens", new java.math.BigDecimal("1e4000000"))).expect(400)
                .json().path("error").path("message").asString()).contains("max_tokens");
        Api.Response anonymous = api.post("/agent/v1/chat/completions").as("not-a-key").json(chat(model)).send()
                .expect(401);
        assertThat(anonymous.json().path("error").path("type").asString()).isEqualTo("authentication_error");
        // What the gateway does not offer, an OpenAI SDK is told of in the shape it reads.
        Api.Response wrongMethod = api.get("/agent/v1/chat/completions").as(key).send().expect(405);
        assertThat(wrongMethod.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(wrongMethod.header("Content-Type")).startsWith("application/json");
        for (String operation : List.of("completions", "responses", "images/generations", "models/x/y",
                "chat//completions", "Chat/Completions")) {
            Api.Response absent = api.post("/agent/v1/" + operation).as(key).json(chat(model)).send();
            assertThat(absent.status()).as(operation).isIn(400, 404, 405);
            assertThat(absent.json().path("error").path("message").asString()).as(operation).isNotEmpty();
        }
        assertThat(api.get("/agent/v1/nothing-here").as(key).send().expect(404).json().path("detail").asString())
                .as("the agent API's own addresses answer problem details").isNotEmpty();

        api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("allowedModels", List.of("other-model")))
                .send().expect(200);
        complete(key, chat(model)).expect(404);
        assertThat(api.get("/agent/v1/models").as(key).send().expect(200).body()).doesNotContain(model);
        assertThat(fake.received).as("no refused call reached the upstream").isEmpty();
        assertThat(requests(org)).extracting(r -> r.path("status").asString()).containsOnly("refused");

        api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("allowedModels", List.of(model)))
                .send().expect(200);
        JsonNode models = api.get("/agent/v1/models").as(key).send().expect(200).json();
        assertThat(models.path("object").asString()).isEqualTo("list");
        assertThat(models.path("data")).extracting(m -> m.path("id").asString()).containsExactly(model);
    }

    @Test
    void upstreamRefusalsPassOnTheRequestsFaultsButNeverWordsAboutTheKey() throws Exception {
        fake.then(FakeUpstream.Mode.BAD_REQUEST);
        Api.Response bad = complete(key, chat(model)).expect(400);
        assertThat(bad.json().path("error").path("message").asString()).contains("temperature");
        fake.then(FakeUpstream.Mode.BAD_KEY);
        Api.Response badKey = complete(key, chat(model)).expect(502);
        assertThat(badKey.body()).doesNotContain("sk-abc").doesNotContain("wxyz");
        assertThat(badKey.json().path("error").path("code").asString()).isEqualTo("upstream_refused");

        fake.then(FakeUpstream.Mode.BAD_REQUEST_QUOTING_KEY);
        Api.Response quoting = complete(key, chat(model)).expect(400);
        assertThat(quoting.body()).doesNotContain(PLATFORM_KEY).doesNotContain(PLATFORM_KEY.substring(0, 8))
                .doesNotContain("invalid_api_key");
        assertThat(quoting.json().path("error").path("code").isNull()).as("the upstream's code quoted the key")
                .isTrue();
        assertThat(requests(org).get(0).path("errorCode").asString()).as("the log says what ended the call")
                .isEqualTo("upstream_refused_request");
        // Retest: a parameter quoting the key was written into the gateway's own words; a message
        // spacing the key out passed.
        fake.refusalBody = "{\"error\":{\"message\":\"auth was Bearer KEY\",\"param\":\"KEY\"}}";
        fake.then(FakeUpstream.Mode.BAD_REQUEST_SCRIPTED);
        Api.Response param = complete(key, chat(model)).expect(400);
        assertThat(param.body()).doesNotContain(PLATFORM_KEY.substring(0, 16)).contains("refused the request");
        fake.refusalBody = "{\"error\":{\"message\":\"" + String.join(" ", PLATFORM_KEY.split("")) + "\"}}";
        fake.then(FakeUpstream.Mode.BAD_REQUEST_SCRIPTED);
        assertThat(complete(key, chat(model)).expect(400).json().path("error").path("message").asString())
                .startsWith("The model's provider refused the request (400)");
        fake.then(FakeUpstream.Mode.STREAM_ERROR);
        List<String> events = stream(key, chat(model, "stream", true));
        assertThat(String.join("\n", events)).doesNotContain(PLATFORM_KEY).doesNotContain("[DONE]");
        assertThat(events.get(events.size() - 1)).contains("upstream_error");
        assertThat(requests(org).get(0).path("status").asString()).isEqualTo("cut");
    }

    /**
     * An upstream that answers with the key it was sent (an echo server, a proxy quoting the
     * request) hands a client's agent nothing of it, nor its request log: the answer stops
     * there, billed for what was generated.
     */
    @Test
    void anAnswerHoldingTheProviderKeyGoesNoFurtherAndIsBilled() throws Exception {
        api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("contentLogging", true)).send()
                .expect(200);
        try {
            fake.wholeAnswer = "You sent: Bearer " + PLATFORM_KEY;
            Api.Response whole = complete(key, chat(model)).expect(502);
            fake.wholeAnswer = null;
            fake.streamChunks = List.of(GatewayGuardrailTest.chunkOf("[{\"index\":0,\"delta\":{\"content\":"
                    + "\"Hello\"},\"finish_reason\":null}]"), GatewayGuardrailTest.chunkOf("[{\"index\":0,"
                    + "\"delta\":{\"content\":\" you sent Bearer " + PLATFORM_KEY + "\"},\"finish_reason\":null}]"));
            List<String> events = stream(key, chat(model, "stream", true));

            assertThat(whole.body()).doesNotContain(PLATFORM_KEY);
            assertThat(whole.json().path("error").path("code").asString()).isEqualTo("upstream_invalid");
            assertThat(String.join("\n", events)).doesNotContain(PLATFORM_KEY).doesNotContain("[DONE]")
                    .contains("Hello");
            assertThat(events.get(events.size() - 1)).contains("upstream_invalid");
            // Split over events, three characters at a time, or between two choices: stopped
            // once half of it stands in a row, so less than half leaves (nothing is held back on
            // the key's account, which would tell an agent which characters are the key's).
            List<String> pieces = new ArrayList<>();
            for (int at = 0; at < PLATFORM_KEY.length(); at += 3) {
                pieces.add(PLATFORM_KEY.substring(at, Math.min(PLATFORM_KEY.length(), at + 3)));
            }
            List<String> split = new ArrayList<>(List.of(contentChunk(0, "Key: ")));
            pieces.forEach(piece -> split.add(contentChunk(0, piece)));
            fake.streamChunks = split;
            List<String> piecewise = stream(key, chat(model, "stream", true));
            int half = PLATFORM_KEY.length() / 2;
            fake.streamChunks = List.of(contentChunk(0, "A: " + PLATFORM_KEY.substring(0, half)),
                    contentChunk(1, PLATFORM_KEY.substring(half)));
            List<String> twoChoices = stream(key, chat(model, "stream", true));

            for (List<String> cut : List.of(piecewise, twoChoices)) {
                StringBuilder sent = new StringBuilder();
                for (String event : cut) {
                    Api.JSON.readTree(event).path("choices").forEach(c -> sent.append(c.path("delta").path("content")
                            .asString("")));
                }
                assertThat(sent.toString()).as("less than half the key")
                        .doesNotContain(PLATFORM_KEY.substring(0, (PLATFORM_KEY.length() + 1) / 2));
                assertThat(cut).doesNotContain("[DONE]");
                assertThat(cut.get(cut.size() - 1)).contains("upstream_invalid");
            }
            List<JsonNode> logged = requests(org).subList(0, 4);
            assertThat(logged.toString()).doesNotContain(PLATFORM_KEY);
            assertThat(logged).allSatisfy(call -> {
                assertThat(call.path("errorCode").asString()).isEqualTo("upstream_invalid");
                assertThat(call.path("outputTokens").asLong()).as("generated, so billed").isPositive();
            });
        } finally {
            api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("contentLogging", false)).send()
                    .expect(200);
        }
    }

    static String contentChunk(int choice, String content) {
        return GatewayGuardrailTest.chunkOf("[{\"index\":" + choice + ",\"delta\":{\"content\":\"" + content
                + "\"},\"finish_reason\":null}]");
    }

    @Test
    void anOrgsOwnKeyPaysForItsCallsAndNoOtherOrgsKeyIsEverUsed() {
        String other = platform.createOrg("Gateway BYOK");
        String otherKey = platform.issueKey(platform.createAgent(other, "BYOK agent"));
        String own = "sk-own-" + UUID.randomUUID();
        String ownId = api.post("/api/credentials").org(other).as(owner).json(Map.of("name", keyName, "kind",
                "api_key", "value", own, "agentReadable", false)).send().expect(201).id();

        complete(otherKey, chat(model)).expect(200);
        complete(key, chat(model)).expect(200);
        assertThat(fake.received.get(0).header("Authorization")).isEqualTo("Bearer " + own);
        assertThat(fake.received.get(1).header("Authorization")).isEqualTo("Bearer " + PLATFORM_KEY);
        JsonNode byok = requests(other).get(0);
        assertThat(byok.path("byok").asBoolean()).isTrue();
        assertThat(usageEvent(byok.path("id").asString()).get("org_id").toString()).isEqualTo(other);
        assertThat(onlyRequest().path("byok").asBoolean()).isFalse();
        // The key stays the server's: the agent may not read it.
        api.get("/agent/v1/credentials/" + keyName).as(otherKey).send().expect(403);

        transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("update credentials set expires_at = :past where id = :id").param("id", UUID.fromString(ownId))
                    .param("past", java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1))).update();
        });
        JsonNode expired = complete(otherKey, chat(model)).expect(502).json().path("error");
        assertThat(expired.path("code").asString()).as("an org's expired key is refused, not replaced by the "
                + "platform's").isEqualTo("provider_key_expired");
        assertThat(expired.path("message").asString()).doesNotContain(own);
        assertThat(fake.received).hasSize(2);
        complete(key, chat(model)).expect(200);
        assertThat(fake.received.get(2).header("Authorization")).isEqualTo("Bearer " + PLATFORM_KEY);
        api.delete("/api/credentials/" + ownId).org(other).as(owner).send().expect(204);
        complete(otherKey, chat(model)).expect(200);
        assertThat(fake.received.get(3).header("Authorization")).as("without a key of its own, the platform's")
                .isEqualTo("Bearer " + PLATFORM_KEY);
    }

    /**
     * A call asks which version of its provider key is current together with its other
     * questions, guessing the provider from the routes as this node last read them: when the
     * route changed since, the call still sends the key of the provider the route names now,
     * and a fallback its own provider's key.
     */
    @Test
    void aCallSendsTheKeyOfTheProviderItsRouteNamesNowAndAFallbackItsOwn() {
        String otherKeyName = "UPSTREAM_" + UUID.randomUUID().toString().substring(0, 8);
        String otherKey = "sk-other-" + UUID.randomUUID();
        api.post("/api/credentials").org(DefaultOrg.ID.toString()).as(owner).json(Map.of("name", otherKeyName,
                "kind", "api_key", "value", otherKey, "agentReadable", false)).send().expect(201);
        String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/providers").as(owner).json(Map.of("name", other, "baseUrl", fake.baseUrl(),
                "keyCredential", otherKeyName, "firstByteTimeoutMs", 1000, "idleTimeoutMs", 1000)).send()
                .expect(201);
        String moved = "gpt-moved-" + UUID.randomUUID().toString().substring(0, 8);
        String routeId = api.post("/api/settings/routes").as(owner).json(Map.of("model", moved, "targets",
                List.of(Map.of("provider", primary, "model", "upstream-primary")))).send().expect(201).id();
        complete(key, chat(moved)).expect(200);
        assertThat(fake.received.get(0).header("Authorization")).isEqualTo("Bearer " + PLATFORM_KEY);

        api.put("/api/settings/routes/" + routeId).as(owner).json(Map.of("model", moved, "targets", List.of(
                Map.of("provider", other, "model", "upstream-other"),
                Map.of("provider", primary, "model", "upstream-primary")))).send().expect(200);
        complete(key, chat(moved)).expect(200);
        assertThat(fake.received.get(1).header("Authorization")).as("the key of the provider the route names now")
                .isEqualTo("Bearer " + otherKey);

        fake.then(FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING);
        complete(key, chat(moved)).expect(200);
        assertThat(fake.received.subList(2, 6)).extracting(r -> r.body().path("model").asString() + " "
                + r.header("Authorization")).containsExactly("upstream-other Bearer " + otherKey,
                        "upstream-other Bearer " + otherKey, "upstream-other Bearer " + otherKey,
                        "upstream-primary Bearer " + PLATFORM_KEY);
    }

    /**
     * Outside tester: an org whose own key for a route's first provider had expired was served
     * by the route's next provider on the platform's key, with nothing to say so. An expired
     * key of the org's own is never replaced by the platform's, on a fallback either.
     */
    @Test
    void anOrgsExpiredKeyIsNeverReplacedByThePlatformsOnAFallback() {
        String other = platform.createOrg("Gateway expired key");
        String otherKey = platform.issueKey(platform.createAgent(other, "Expired key agent"));
        String platformOnly = "UPSTREAM_" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/credentials").org(DefaultOrg.ID.toString()).as(owner).json(Map.of("name", platformOnly,
                "kind", "api_key", "value", "sk-platform-only-" + UUID.randomUUID(), "agentReadable", false)).send()
                .expect(201);
        String platformPaid = "platform-paid-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/providers").as(owner).json(Map.of("name", platformPaid, "baseUrl", fake.baseUrl(),
                "keyCredential", platformOnly, "firstByteTimeoutMs", 1000)).send().expect(201);
        String fallingBack = "gpt-fallback-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", fallingBack, "targets", List.of(
                Map.of("provider", primary, "model", "upstream-primary"),
                Map.of("provider", platformPaid, "model", "upstream-platform")))).send().expect(201);
        String own = "sk-own-" + UUID.randomUUID();
        String ownId = api.post("/api/credentials").org(other).as(owner).json(Map.of("name", keyName, "kind",
                "api_key", "value", own, "agentReadable", false)).send().expect(201).id();
        transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("update credentials set expires_at = :past where id = :id").param("id", UUID.fromString(ownId))
                    .param("past", java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1))).update();
        });

        JsonNode expired = complete(otherKey, chat(fallingBack)).expect(502).json().path("error");
        assertThat(expired.path("code").asString()).isEqualTo("provider_key_expired");
        assertThat(fake.received).as("neither the expired key nor the platform's on the next provider").isEmpty();
        JsonNode refusedLine = requests(other).get(0);
        assertThat(refusedLine.path("provider").isMissingNode()).as("no target served the call").isTrue();
        assertThat(route(refusedLine)).as("the log says which targets were skipped, and why")
                .containsExactly(primary + " upstream-primary 0 provider_key_expired",
                        platformPaid + " upstream-platform 0 platform_key_withheld");

        complete(key, chat(fallingBack)).expect(200);
        assertThat(fake.received).singleElement().satisfies(r -> assertThat(r.header("Authorization"))
                .as("an org without a key of its own is served as before").isEqualTo("Bearer " + PLATFORM_KEY));
        api.delete("/api/credentials/" + ownId).org(other).as(owner).send().expect(204);
        fake.then(FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING);
        complete(otherKey, chat(fallingBack)).expect(200);
        assertThat(fake.received.get(fake.received.size() - 1).body().path("model").asString())
                .as("without a key of its own, the org falls back as any").isEqualTo("upstream-platform");
    }

    /**
     * Outside tester: an expired platform key was answered as a missing one ("an operator must
     * store it in the vault"). It is said to have expired, and the route goes on to its next target.
     */
    @Test
    void anExpiredPlatformKeyIsSaidToHaveExpiredAndTheRouteGoesOn() {
        String expiring = "UPSTREAM_" + UUID.randomUUID().toString().substring(0, 8);
        String credential = api.post("/api/credentials").org(DefaultOrg.ID.toString()).as(owner).json(Map.of("name",
                expiring, "kind", "api_key", "value", "sk-expiring-" + UUID.randomUUID(), "agentReadable", false))
                .send().expect(201).id();
        String expiredProvider = "expired-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/providers").as(owner).json(Map.of("name", expiredProvider, "baseUrl", fake.baseUrl(),
                "keyCredential", expiring, "firstByteTimeoutMs", 1000)).send().expect(201);
        String alone = "gpt-expired-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", alone, "targets", List.of(
                Map.of("provider", expiredProvider, "model", "upstream-expired")))).send().expect(201);
        String fallingBack = "gpt-expired-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", fallingBack, "targets", List.of(
                Map.of("provider", expiredProvider, "model", "upstream-expired"),
                Map.of("provider", primary, "model", "upstream-primary")))).send().expect(201);
        complete(key, chat(alone)).expect(200);
        transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("update credentials set expires_at = :past where id = :id")
                    .param("id", UUID.fromString(credential))
                    .param("past", java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1))).update();
        });
        fake.reset();

        JsonNode refused = complete(key, chat(alone)).expect(502).json().path("error");
        assertThat(refused.path("code").asString()).isEqualTo("provider_key_expired");
        assertThat(refused.path("message").asString()).contains("platform's key").contains("expired");
        assertThat(fake.received).as("a key kept from before its expiry is not sent either").isEmpty();
        String skipped = expiredProvider + " upstream-expired 0 provider_key_expired";
        assertThat(route(requests(org).get(0))).containsExactly(skipped);

        complete(key, chat(fallingBack)).expect(200);
        assertThat(route(requests(org).get(0))).containsExactly(skipped, primary + " upstream-primary 1 answered");
    }

    /** A request log line's route, a step a string: provider, upstream model, attempts, outcome. */
    private static List<String> route(JsonNode line) {
        List<String> steps = new java.util.ArrayList<>();
        line.path("route").forEach(step -> steps.add(step.path("provider").asString() + " "
                + step.path("upstreamModel").asString() + " " + step.path("attempts").asInt() + " "
                + step.path("outcome").asString()));
        return steps;
    }

    @Test
    void aKeyWithALineBreakInsideIsNeverSentAndOneAfterItIsSentWithout() {
        String other = platform.createOrg("Gateway pasted key");
        String otherKey = platform.issueKey(platform.createAgent(other, "Pasted key agent"));
        String own = "sk-own-" + UUID.randomUUID();
        String ownId = api.post("/api/credentials").org(other).as(owner).json(Map.of("name", keyName, "kind",
                "api_key", "value", own + "\r\nX-Injected: yes", "agentReadable", false)).send().expect(201).id();

        JsonNode refused = complete(otherKey, chat(model)).expect(502).json().path("error");
        assertThat(refused.path("code").asString()).isEqualTo("provider_key_unusable");
        assertThat(refused.path("message").asString()).doesNotContain(own);
        assertThat(fake.received).as("no request, so no header written from the key's second line").isEmpty();
        assertThat(route(requests(other).get(0))).as("each target skipped for the key")
                .containsExactly(primary + " upstream-primary 0 provider_key_unusable",
                        backup + " upstream-backup 0 provider_key_unusable");

        api.post("/api/credentials/" + ownId + "/rotate").org(other).as(owner).json(Map.of("value", own + "\n"))
                .send().expect(200);
        complete(otherKey, chat(model)).expect(200);
        assertThat(fake.received.get(0).header("Authorization")).isEqualTo("Bearer " + own);
        assertThat(fake.received.get(0).header("X-Injected")).isNull();
    }

    @Test
    void toolCallsAndEmbeddingsPassThroughAndAreMetered() throws Exception {
        Map<String, Object> tools = Map.of("type", "function", "function", Map.of("name", "get_weather",
                "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))));
        JsonNode whole = complete(key, chat(model, "tools", List.of(tools))).expect(200).json();
        assertThat(whole.path("choices").get(0).path("message").path("tool_calls").get(0).path("function")
                .path("name").asString()).isEqualTo("get_weather");
        List<String> streamed = stream(key, chat(model, "stream", true, "tools", List.of(tools)));
        assertThat(String.join("", streamed)).contains("get_weather").contains("tool_calls");
        assertThat(fake.received.get(1).body().path("tools").get(0).path("function").path("name").asString())
                .isEqualTo("get_weather");

        JsonNode embedded = api.post("/agent/v1/embeddings").as(key).json(Map.of("model", model, "input",
                "some text")).send().expect(200).json();
        assertThat(embedded.path("data").get(0).path("embedding").size()).isEqualTo(3);
        assertThat(fake.received.get(2).path()).isEqualTo("/v1/embeddings");
        JsonNode logged = requests(org).get(0);
        assertThat(logged.path("endpoint").asString()).isEqualTo("embeddings");
        assertThat(logged.path("inputTokens").asLong()).isEqualTo(2);
    }

    /** LangChain4j's OpenAI client, as an agent built on it is configured: the gateway's address and its key. */
    dev.langchain4j.model.openai.OpenAiChatModel langchain(String agentKey, String modelName) {
        return dev.langchain4j.model.openai.OpenAiChatModel.builder().baseUrl("http://127.0.0.1:" + port
                + "/agent/v1").apiKey(agentKey).modelName(modelName).maxRetries(0).build();
    }

    @Test
    void langChain4jsOpenAiClientCallsTheGatewayAndSeesItsTypedErrors() throws Exception {
        assertThat(langchain(key, model).chat("Say hello")).isEqualTo(FakeUpstream.TEXT);

        dev.langchain4j.agent.tool.ToolSpecification weather = dev.langchain4j.agent.tool.ToolSpecification.builder()
                .name("get_weather").description("The weather in a city")
                .parameters(dev.langchain4j.model.chat.request.json.JsonObjectSchema.builder()
                        .addStringProperty("city").required("city").build()).build();
        dev.langchain4j.model.chat.response.ChatResponse withTools = langchain(key, model).chat(
                dev.langchain4j.model.chat.request.ChatRequest.builder()
                        .messages(dev.langchain4j.data.message.UserMessage.from("Weather in Paris?"))
                        .toolSpecifications(weather).build());
        assertThat(withTools.aiMessage().toolExecutionRequests()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(call.arguments()).contains("Paris");
        });

        dev.langchain4j.model.openai.OpenAiStreamingChatModel streaming = dev.langchain4j.model.openai
                .OpenAiStreamingChatModel.builder().baseUrl("http://127.0.0.1:" + port + "/agent/v1").apiKey(key)
                .modelName(model).build();
        java.util.concurrent.CompletableFuture<dev.langchain4j.model.chat.response.ChatResponse> done =
                new java.util.concurrent.CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        streaming.chat("Say hello", new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.append(text);
            }

            @Override
            public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        assertThat(done.get(30, java.util.concurrent.TimeUnit.SECONDS).aiMessage().text())
                .isEqualTo(FakeUpstream.TEXT);
        assertThat(partial.toString()).isEqualTo(FakeUpstream.TEXT);

        assertThatThrownBy(() -> langchain("not-a-key", model).chat("hi"))
                .isInstanceOf(dev.langchain4j.exception.AuthenticationException.class);
        assertThatThrownBy(() -> langchain(key, "no-such-model").chat("hi"))
                .isInstanceOf(dev.langchain4j.exception.ModelNotFoundException.class);
        fake.then(java.util.Collections.nCopies(6, FakeUpstream.Mode.RATE_LIMITED)
                .toArray(FakeUpstream.Mode[]::new));
        assertThatThrownBy(() -> langchain(key, model).chat("hi"))
                .isInstanceOf(dev.langchain4j.exception.RateLimitException.class);
        assertThat(requests(org)).extracting(r -> r.path("status").asString())
                .containsExactly("error", "refused", "ok", "ok", "ok");
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(io.tenantry.support.NodeTools.class)
    void openAisOwnNodeClientCallsTheGatewayAndSeesItsTypedErrors() throws Exception {
        // After the client's own calls, the one it makes last meets an upstream that keeps rate limiting.
        fake.then(FakeUpstream.Mode.OK, FakeUpstream.Mode.OK, FakeUpstream.Mode.OK, FakeUpstream.Mode.OK,
                FakeUpstream.Mode.OK);
        fake.then(java.util.Collections.nCopies(6, FakeUpstream.Mode.RATE_LIMITED)
                .toArray(FakeUpstream.Mode[]::new));
        io.tenantry.support.NodeTools.Run run = io.tenantry.support.NodeTools.node(
                io.tenantry.support.NodeTools.DIRECTORY.resolve("gateway/openai-client.mjs"), Map.of(
                        "GATEWAY_URL", "http://127.0.0.1:" + port + "/agent/v1", "AGENT_KEY", key, "MODEL", model,
                        "EXPECTED_TEXT", FakeUpstream.TEXT));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("ok streamed usage when asked", "ok streamed tool call",
                "ok a wrong key is AuthenticationError", "ok an unknown model is NotFoundError",
                "ok an upstream that keeps rate limiting is RateLimitError", "ok Retry-After on 429");
    }

    @Test
    void providersAndRoutesAreTheOperatorsAndCheckedOnSave() {
        String admin = platform.createUser("admin", null, Platform.ALL_PAGES);
        String user = platform.createUser("user", null, Platform.ALL_PAGES);
        api.get("/api/settings/providers").as(admin).send().expect(200);
        api.get("/api/settings/providers").as(user).send().expect(403);
        api.post("/api/settings/routes").as(user).json(Map.of("model", "x", "targets", List.of())).send().expect(403);

        Map<String, Object> good = new HashMap<>(Map.of("name", "p-" + UUID.randomUUID().toString().substring(0, 8),
                "baseUrl", fake.baseUrl()));
        List<Map<String, Object>> bad = new ArrayList<>();
        bad.add(with(good, "baseUrl", "ftp://example.com"));
        bad.add(with(good, "baseUrl", "https://user:pw@example.com/v1"));
        bad.add(with(good, "baseUrl", ""));
        bad.add(with(good, "name", "Upper Case"));
        bad.add(with(good, "headers", Map.of("Authorization", "Bearer x")));
        bad.add(with(good, "headers", Map.of("X-Ok", "line\nbreak")));
        bad.add(with(good, "connectTimeoutMs", 0));
        bad.add(with(good, "baseUrl", "https://example.com/" + "a".repeat(2000)));
        bad.add(with(good, "orgId", DefaultOrg.ID.toString()));
        bad.add(with(good, "keyHeader", "Host"));
        bad.add(with(good, "keyHeader", "Content-Length"));
        bad.add(with(good, "keyCredential", "../etc/passwd"));
        bad.add(with(good, "outputLimitField", "max_output_tokens"));
        bad.add(with(good, "outputLimitField", "MAX_TOKENS"));
        bad.add(with(good, "outputLimitField", 5));
        for (Map<String, Object> body : bad) {
            Api.Response refused = api.post("/api/settings/providers").as(owner).json(body).send();
            assertThat(refused.status()).as(body.toString()).isEqualTo(400);
            assertThat(refused.header("Content-Type")).contains("application/problem+json");
        }
        // A number too large for its field is named, not taken for bad JSON.
        Api.Response outOfRange = api.post("/api/settings/providers").as(owner)
                .json(with(good, "connectTimeoutMs", 1_000_000_000_000L)).send().expect(400);
        assertThat(outOfRange.text("detail")).isEqualTo("connectTimeoutMs is out of range for its field.");
        assertThat(api.post("/api/settings/routes").as(owner).json(Map.of("model", "m-range", "targets", List.of(
                Map.of("provider", "p", "model", "x", "maxOutputTokens", 1_000_000_000_000L)))).send().expect(400)
                .text("detail")).isEqualTo("targets[0].maxOutputTokens is out of range for its field.");
        JsonNode created = api.post("/api/settings/providers").as(owner).json(good).send().expect(201).json();
        assertThat(created.path("outputLimitField").asString()).as("what every upstream reads")
                .isEqualTo("max_tokens");
        String id = created.path("id").asString();
        api.post("/api/settings/providers").as(owner).json(good).send().expect(409);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", "m-" + UUID.randomUUID(), "targets",
                List.of(Map.of("provider", "no-such-provider", "model", "x")))).send().expect(400);
        String route = api.post("/api/settings/routes").as(owner).json(Map.of("model", "m-" + UUID.randomUUID()
                .toString().substring(0, 8), "targets", List.of(Map.of("provider", good.get("name"), "model",
                        "meta-llama/Llama-3-70b")))).send().expect(201).id();
        api.delete("/api/settings/providers/" + id).as(owner).send().expect(409);
        api.delete("/api/settings/routes/" + route).as(owner).send().expect(204);
        api.delete("/api/settings/providers/" + id).as(owner).send().expect(204);
        api.get("/api/settings/providers/not-a-uuid").as(owner).send().expect(400);
        for (String query : List.of("from=%2B1000000000-01-01T00:00:00Z", "to=-999999999-01-01T00:00:00Z",
                "from=1999-12-31T23:59:59Z", "status=bogus", "model=a%20b", "agentId=5", "limit=99999999999999")) {
            api.get("/api/gateway/requests?" + query).org(org).as(owner).send().expect(400);
        }
        api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("allowedModel", List.of("x"))).send()
                .expect(400);
        api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("allowedModels",
                java.util.Collections.nCopies(201, "m"))).send().expect(400);
        api.patch("/api/gateway/settings").org(org).as(owner).json(Map.of("contentLogging", "yes")).send()
                .expect(400);
        assertThat(api.get("/api/gateway/settings").org(org).as(owner).send().expect(200).json()
                .path("updatedAt").isNull()).as("refused changes changed nothing").isTrue();
        api.put("/api/settings/routes/not-a-uuid").as(owner).json(Map.of("model", "x")).send().expect(400);
    }

    private static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> copy = new HashMap<>(body);
        copy.put(field, value);
        return copy;
    }
}
