package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.support.Api;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * The journal of calls in flight: a call running longer than the journal's interval (0.2 s
 * here) is noted with what it used so far, its note goes in the transaction that meters it,
 * and a note its node never came back for is billed by the lost-call sweep once its call
 * must have ended and no node notes it any more, once. The sweep's own schedule is an hour here: the tests run it.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway-call-journal",
        "tenantry.gateway.call-journal-interval=PT0.2S", "tenantry.gateway.lost-call-sweep-interval=PT1H"})
class GatewayCallJournalTest extends GatewayServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LostCallSweep sweep;

    @Autowired
    LongestCall longest;

    UpstreamRoute route;
    String model;

    @BeforeEach
    void route() {
        freshOrganization("Journal org " + UUID.randomUUID());
        route = UpstreamRoute.create(api, owner, fake, "journal", null, Map.of());
        model = route.model();
    }

    List<Map<String, Object>> notes(String orgId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("select * from gateway_calls_in_flight where"
                + " org_id = :org").param("org", UUID.fromString(orgId)).query().listOfRows());
    }

    long usageEvents(String eventId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("select count(*) from usage_events where event_id"
                + " = :id").param("id", eventId).query(Long.class).single());
    }

    Map<String, Object> usageEvent(String requestId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("select model, input_tokens, output_tokens from"
                + " usage_events where event_id = :id").param("id", "gateway:" + requestId).query().singleRow());
    }

    List<JsonNode> requests(String orgId) {
        return api.get("/api/gateway/requests").org(orgId).as(owner).send().expect(200).items();
    }

    /** A stream of 200 chunks, 20 ms apart, running in the background. */
    CompletableFuture<Api.Response> slowStream() {
        fake.then(FakeUpstream.Mode.SLOW_STREAM);
        return CompletableFuture.supplyAsync(() -> api.post("/agent/v1/chat/completions").as(key)
                .json(GatewayLongestCallTest.chat(model, "stream", true)).send());
    }

    /** The output the org's first note with any records, waiting up to 3 s for it; 0 if none came. */
    long firstNotedOutput() throws InterruptedException {
        long noted = 0;
        for (int i = 0; i < 300 && noted == 0; i++) {
            Thread.sleep(10);
            noted = notes(org).stream().mapToLong(n -> ((Number) n.get("output_tokens")).longValue()).max().orElse(0);
        }
        return noted;
    }

    /** A note as a node that died mid-call left it. */
    UUID leftBehind(Instant startedAt, long input, long output) {
        return noted(startedAt, startedAt.plusSeconds(3), input, output);
    }

    /** A note of a call begun at {@code startedAt}, last written at {@code notedAt}. */
    UUID noted(Instant startedAt, Instant notedAt, long input, long output) {
        UUID id = UUID.randomUUID();
        transactions.write(OrgScope.allOrgs(), () -> jdbc.sql("""
                insert into gateway_calls_in_flight (id, org_id, agent_id, agent_name, endpoint, model, provider,
                       upstream_model, stream, byok, input_tokens, output_tokens, started_at, noted_at)
                values (:id, :org, :agent, 'Journal agent', 'chat.completions', :model, :provider, :upstream,
                        true, false, :input, :output, :started, :noted)
                """).param("id", id).param("org", UUID.fromString(org)).param("agent", UUID.fromString(agent))
                .param("model", model).param("provider", route.provider()).param("upstream", route.upstreamModel())
                .param("input", input).param("output", output)
                .param("started", Timestamps.of(startedAt)).param("noted", Timestamps.of(notedAt))
                .update());
        return id;
    }

    @Test
    void everyCallIsNotedBeforeItsUpstreamHearsOfIt() {
        List<List<Map<String, Object>>> atUpstream = new java.util.concurrent.CopyOnWriteArrayList<>();
        fake.onReceived = () -> atUpstream.add(notes(org));

        api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(model, "stream", false))
                .send().expect(200);
        api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(model, "stream", true))
                .send().expect(200);

        assertThat(atUpstream).hasSize(2).allSatisfy(notes -> {
            assertThat(notes).as("a call killed the moment it went upstream is in the journal").hasSize(1);
            assertThat(((Number) notes.get(0).get("input_tokens")).longValue()).as("its prompt, counted").isPositive();
        });
        assertThat(notes(org)).as("metered: the notes are gone").isEmpty();
    }

    /**
     * Outside tester: a call killed before its answer began was noted with no upstream, so the
     * sweep logged no provider and billed it under the route's name, which has no price. A
     * call's first note names the route's first target and whose key pays for it; one that
     * moves on to another target (a retry elsewhere, a target skipped) is noted again before
     * that target hears of it.
     */
    @Test
    void aCallIsNotedWithTheUpstreamItGoesToAndWhoseKeyPays() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String ownKey = "OWN_" + unique;
        String platformKey = "PLATFORM_" + unique;
        api.post("/api/credentials").org(io.tenantry.tenancy.DefaultOrg.ID.toString()).as(owner).json(Map.of("name",
                platformKey, "kind", "api_key", "value", "sk-platform-" + unique, "agentReadable", false)).send()
                .expect(201);
        api.post("/api/credentials").org(io.tenantry.tenancy.DefaultOrg.ID.toString()).as(owner).json(Map.of("name",
                ownKey, "kind", "api_key", "value", "sk-platform-own-" + unique, "agentReadable", false)).send()
                .expect(201);
        api.post("/api/credentials").org(org).as(owner).json(Map.of("name", ownKey, "kind", "api_key", "value",
                "sk-org-" + unique, "agentReadable", false)).send().expect(201);
        for (String[] provider : List.of(new String[] {"first-" + unique, ownKey},
                new String[] {"second-" + unique, platformKey})) {
            api.post("/api/settings/providers").as(owner).json(Map.of("name", provider[0], "baseUrl", fake.baseUrl(),
                    "keyCredential", provider[1], "firstByteTimeoutMs", 10_000)).send().expect(201);
        }
        String twoTargets = "two-targets-" + unique;
        api.post("/api/settings/routes").as(owner).json(Map.of("model", twoTargets, "targets", List.of(
                Map.of("provider", "first-" + unique, "model", "upstream-first-" + unique),
                Map.of("provider", "second-" + unique, "model", "upstream-second-" + unique)))).send().expect(201);
        List<Map<String, Object>> atUpstream = new java.util.concurrent.CopyOnWriteArrayList<>();
        fake.onReceived = () -> atUpstream.addAll(notes(org));

        api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(twoTargets, "stream", false))
                .send().expect(200);
        assertThat(atUpstream).singleElement().satisfies(note -> {
            assertThat(note.get("provider")).isEqualTo("first-" + unique);
            assertThat(note.get("upstream_model")).isEqualTo("upstream-first-" + unique);
            assertThat(note.get("byok")).as("the org's own key pays").isEqualTo(true);
        });

        // The first target fails until the call moves on: the note names the second before it hears of the call.
        atUpstream.clear();
        List<List<Map<String, Object>>> asReceived = new java.util.concurrent.CopyOnWriteArrayList<>();
        fake.onReceived = () -> asReceived.add(notes(org));
        fake.then(FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING, FakeUpstream.Mode.FAILING);
        api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(twoTargets, "stream", false))
                .send().expect(200);
        assertThat(asReceived).hasSize(4);
        assertThat(asReceived.get(3)).as("as the second target received the call").singleElement().satisfies(note -> {
            assertThat(note.get("provider")).isEqualTo("second-" + unique);
            assertThat(note.get("upstream_model")).isEqualTo("upstream-second-" + unique);
            assertThat(note.get("byok")).as("the platform's key pays the second").isEqualTo(false);
        });

        // Retest: a first target skipped for its missing key, without a try, was still the one noted.
        api.post("/api/settings/providers").as(owner).json(Map.of("name", "keyless-" + unique, "baseUrl",
                fake.baseUrl(), "keyCredential", "MISSING_" + unique)).send().expect(201);
        String skipping = "skipping-" + unique;
        api.post("/api/settings/routes").as(owner).json(Map.of("model", skipping, "targets", List.of(
                Map.of("provider", "keyless-" + unique, "model", "upstream-keyless-" + unique),
                Map.of("provider", "second-" + unique, "model", "upstream-second-" + unique)))).send().expect(201);
        asReceived.clear();
        api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(skipping, "stream", false))
                .send().expect(200);
        assertThat(asReceived).singleElement().satisfies(notes -> assertThat(notes).singleElement()
                .satisfies(note -> assertThat(note.get("provider")).isEqualTo("second-" + unique)));
        assertThat(notes(org)).as("metered: the notes are gone").isEmpty();
    }

    @Test
    void aLongCallIsNotedAsItRunsAndItsNoteGoesWithItsMetering() throws Exception {
        CompletableFuture<Api.Response> running = slowStream();
        long first = firstNotedOutput();
        assertThat(first).as("the running stream's note, with what it streamed so far").isPositive();
        Map<String, Object> note = notes(org).get(0);
        assertThat(((Number) note.get("input_tokens")).longValue()).as("its prompt, counted").isPositive();
        assertThat(note.get("upstream_model")).isEqualTo(route.upstreamModel());
        Thread.sleep(600);
        assertThat(((Number) notes(org).get(0).get("output_tokens")).longValue()).as("noted again as it streams")
                .isGreaterThan(first);

        running.get().expect(200);
        assertThat(notes(org)).as("metered: its note is gone").isEmpty();
        JsonNode logged = requests(org).get(0);
        assertThat(logged.path("status").asString()).isEqualTo("ok");
        assertThat(usageEvents("gateway:" + logged.path("id").asString())).isEqualTo(1);
        assertThat(sweep.sweep(Instant.now().plus(longest.billedWithin()).plusSeconds(60))).as("nothing left to bill")
                .isZero();
    }

    @Test
    void aCallBilledAsLostWhileItsNodeStillServedItIsBilledInFullAndLoggedOnce() throws Exception {
        fake.then(FakeUpstream.Mode.SLOW_STREAM);
        api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(model, "stream", true)).send()
                .expect(200);
        JsonNode whole = requests(org).get(0);

        // The same call again; while it runs, a sweep that believes its node gone (as after a long stall) bills it.
        CompletableFuture<Api.Response> running = slowStream();
        long noted = firstNotedOutput();
        assertThat(noted).as("noted while it streams").isPositive();
        assertThat(sweep.sweep(Instant.now().plus(longest.billedWithin()).plus(Duration.ofHours(1)))).isEqualTo(1);
        String id = requests(org).get(0).path("id").asString();
        assertThat(requests(org).get(0).path("errorCode").asString()).isEqualTo(LostCallSweep.CODE);
        long swept = ((Number) usageEvent(id).get("output_tokens")).longValue();
        assertThat(swept).as("billed from its note, mid-stream").isLessThan(whole.path("outputTokens").asLong());

        assertThat(running.get().expect(200).body()).as("the client's stream ends as it would have")
                .contains("data: [DONE]");
        JsonNode logged = requests(org).get(0);
        assertThat(requests(org)).as("one line for the call").hasSize(2);
        assertThat(logged.path("id").asString()).isEqualTo(id);
        assertThat(logged.path("status").asString()).as("the node's own account of the call").isEqualTo("ok");
        assertThat(logged.path("outputTokens").asLong()).isEqualTo(whole.path("outputTokens").asLong());
        // The sweep counted the prompt itself; where that came out above the upstream's count, its bill stands.
        long sweptInput = ((Number) usageEvent(id).get("input_tokens")).longValue();
        assertThat(logged.path("inputTokens").asLong()).isEqualTo(Math.max(sweptInput,
                whole.path("inputTokens").asLong()));
        assertThat(logged.path("estimated").asBoolean()).isEqualTo(sweptInput > whole.path("inputTokens").asLong());
        Map<String, Object> rest = transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("select input_tokens,"
                + " output_tokens from usage_events where event_id = :id").param("id", "gateway:" + id + ":after-sweep")
                .query().singleRow());
        assertThat(swept + ((Number) rest.get("output_tokens")).longValue()).as("billed in all: what it used, once")
                .isEqualTo(whole.path("outputTokens").asLong());
        assertThat(sweptInput + ((Number) rest.get("input_tokens")).longValue())
                .isEqualTo(logged.path("inputTokens").asLong());
        assertThat(notes(org)).isEmpty();
    }

    @Test
    void aCallWhoseNodeDiedIsBilledFromItsLastNoteOnceItMustHaveEnded() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID lost = leftBehind(now.minus(longest.billedWithin()).minusSeconds(5), 120, 340);
        UUID mayRun = leftBehind(now.minusSeconds(5), 80, 20);
        // Past its deadline (a write to a client that reads slowly blocks) and still noted by its node.
        UUID stillNoted = noted(now.minus(longest.billedWithin()).minusSeconds(5), now.minusSeconds(1), 90, 30);

        JsonNode check = api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200).json();
        assertThat(check.path("obstacles")).anySatisfy(obstacle -> {
            assertThat(obstacle.path("kind").asString()).isEqualTo("calls");
            assertThat(obstacle.path("detail").asString()).contains("3 gateway calls of this organization are running, "
                    + "or were when the gateway node serving them stopped");
        });

        assertThat(sweep.sweep(now)).isEqualTo(1);

        JsonNode logged = requests(org).get(0);
        assertThat(logged.path("id").asString()).isEqualTo(lost.toString());
        assertThat(logged.path("status").asString()).isEqualTo("cut");
        assertThat(logged.path("errorCode").asString()).isEqualTo(LostCallSweep.CODE);
        assertThat(logged.path("estimated").asBoolean()).isTrue();
        assertThat(logged.path("inputTokens").asLong()).isEqualTo(120);
        assertThat(logged.path("outputTokens").asLong()).isEqualTo(340);
        Map<String, Object> usage = usageEvent(lost.toString());
        assertThat(usage.get("model")).as("billed as the upstream's model").isEqualTo(route.upstreamModel());
        assertThat(((Number) usage.get("input_tokens")).longValue()).isEqualTo(120);
        assertThat(((Number) usage.get("output_tokens")).longValue()).isEqualTo(340);
        assertThat(notes(org)).as("the calls that may still run keep their notes").extracting(n -> n.get("id"))
                .containsExactlyInAnyOrder(mayRun, stillNoted);

        assertThat(sweep.sweep(now)).as("billed once").isZero();
        assertThat(usageEvents("gateway:" + lost)).isEqualTo(1);
        assertThat(requests(org)).hasSize(1);
        assertThat(sweep.sweep(now.plus(longest.billedWithin()))).isEqualTo(2);
        assertThat(notes(org)).isEmpty();
        assertThat(api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200).json()
                .path("obstacles").toString()).doesNotContain("gateway node");
    }

    @Test
    void aNoteLeftBehindByACallThatWasMeteredIsOnlyDeleted() {
        api.post("/agent/v1/chat/completions").as(key).json(GatewayLongestCallTest.chat(model)).send().expect(200);
        String id = requests(org).get(0).path("id").asString();
        Map<String, Object> billed = usageEvent(id);
        transactions.write(OrgScope.allOrgs(), () -> jdbc.sql("""
                insert into gateway_calls_in_flight (id, org_id, agent_id, agent_name, endpoint, model, stream, byok,
                       input_tokens, output_tokens, started_at, noted_at)
                values (:id, :org, :agent, 'Journal agent', 'chat.completions', :model, false, false, 999, 999,
                        :started, :started)
                """).param("id", UUID.fromString(id)).param("org", UUID.fromString(org))
                .param("agent", UUID.fromString(agent)).param("model", model)
                .param("started", Timestamps.of(Instant.now().minus(longest.billedWithin())
                        .minus(Duration.ofMinutes(1))))
                .update());

        assertThat(sweep.sweep(Instant.now())).isZero();

        assertThat(notes(org)).isEmpty();
        assertThat(usageEvent(id)).isEqualTo(billed);
        assertThat(requests(org)).hasSize(1);
    }
}
