package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.TestDatabase;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

@TenantryTest
class UsageApiTest extends ServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    String agentKey(String org) {
        return platform.issueKey(platform.createAgent(org, "Reporter"));
    }

    List<String> storedOrgs(String eventId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select cast(org_id as varchar(36)) from usage_events where event_id = :id").param("id", eventId)
                .query(String.class).list());
    }

    @Test
    void anEventIsPricedExactlyWithThePriceInForceWhenItHappened() {
        String key = agentKey(platform.createOrg("Metered"));
        Map<String, Object> used = UsageEvents.event("gpt-4o", 1000, 500, 200, Instant.now());

        Api.Response receipt = api.post("/agent/v1/usage").as(key).json(used).send().expect(201);

        // (1000 x 2.50 + 200 x 1.25 + 500 x 10.00) / 1,000,000
        assertThat(receipt.text("costUsd")).isEqualTo("0.007750000000");
        assertThat(receipt.json().path("priced").asBoolean()).isTrue();
        assertThat(receipt.text("eventId")).isEqualTo(used.get("eventId"));
    }

    /**
     * An agent's report is answered by the server's own writer (its busiest endpoint), an
     * operator's import by Spring's: the same JSON for the same receipt, with its length.
     */
    @Test
    void anAgentsReceiptIsWrittenAsAnImportedOnesIs() {
        String org = platform.createOrg("Receipts alike");
        String agent = platform.createAgent(org, "Reporter");
        String key = platform.issueKey(agent);
        Instant at = Instant.now();
        Map<String, Object> reported = UsageEvents.event("gpt-4o", 1_000, 200, 0, at);
        Map<String, Object> imported = new HashMap<>(reported);
        imported.put("eventId", reported.get("eventId") + "-imported");

        Api.Response agents = api.post("/agent/v1/usage").as(key).json(reported).send().expect(201);
        Api.Response operators = api.post("/api/usage").as(owner).json(UsageEvents.withAgent(imported, agent)).send()
                .expect(201);

        assertThat(agents.header("Content-Type")).isEqualTo(operators.header("Content-Type"))
                .startsWith("application/json");
        assertThat(agents.header("Content-Length")).isEqualTo(
                Integer.toString(agents.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        assertThat(agents.body().replace((String) reported.get("eventId"), "ID"))
                .isEqualTo(operators.body().replace((String) imported.get("eventId"), "ID"));
    }

    @Test
    void aRetryIsStoredOnceAndAnsweredAsTheFirstTime() {
        String key = agentKey(platform.createOrg("Retried"));
        Map<String, Object> used = UsageEvents.event("gpt-4o-mini", 10_000, 2_000, 0, Instant.now());

        Api.Response first = api.post("/agent/v1/usage").as(key).json(used).send().expect(201);
        Api.Response again = api.post("/agent/v1/usage").as(key).json(used).send().expect(201);
        used.put("outputTokens", 9_999);
        Api.Response changed = api.post("/agent/v1/usage").as(key).json(used).send().expect(409);

        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(changed.text("detail")).contains("different content");
        assertThat(storedOrgs((String) used.get("eventId"))).hasSize(1);
    }

    @Test
    void aRetryOfAnEventWithoutItsTimeIsAReplayStampedWithTheFirstArrival() throws InterruptedException {
        String key = agentKey(platform.createOrg("Untimed"));
        Map<String, Object> used = UsageEvents.event("gpt-4o", 300, 30, 0, Instant.now());
        used.remove("occurredAt");

        Api.Response first = api.post("/agent/v1/usage").as(key).json(used).send().expect(201);
        Thread.sleep(5);
        Api.Response again = api.post("/agent/v1/usage").as(key).json(used).send().expect(201);
        used.put("inputTokens", 301);
        Api.Response changed = api.post("/agent/v1/usage").as(key).json(used).send();

        used.put("inputTokens", 300);
        used.put("occurredAt", first.text("occurredAt"));
        Api.Response echoed = api.post("/agent/v1/usage").as(key).json(used).send();
        used.put("occurredAt", Instant.parse(first.text("occurredAt")).plusMillis(1).toString());
        Api.Response otherTime = api.post("/agent/v1/usage").as(key).json(used).send();

        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(changed.status()).as(changed.toString()).isEqualTo(409);
        assertThat(echoed.status()).as("a retry filling in the time its receipt gave: " + echoed).isEqualTo(201);
        assertThat(echoed.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(echoed.body()).isEqualTo(first.body());
        assertThat(otherTime.status()).as(otherTime.toString()).isEqualTo(409);
        assertThat(storedOrgs((String) used.get("eventId"))).hasSize(1);
    }

    @Test
    void theIdempotencyKeyHeaderServesAsTheEventId() {
        String key = agentKey(platform.createOrg("Keyed usage"));
        Map<String, Object> used = UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now());
        used.remove("eventId");
        String idempotencyKey = "retry-" + UUID.randomUUID();

        api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey).json(used).send().expect(201);
        api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey).json(used).send().expect(201);
        Api.Response noId = api.post("/agent/v1/usage").as(key).json(used).send().expect(400);
        Api.Response emptyKey = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", "").json(used).send()
                .expect(400);
        Api.Response spacedKey = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", "two words")
                .json(used).send().expect(400);

        assertThat(storedOrgs(idempotencyKey)).hasSize(1);
        assertThat(noId.text("field")).isEqualTo("eventId");
        assertThat(emptyKey.text("field")).isEqualTo("Idempotency-Key");
        assertThat(spacedKey.text("detail")).contains("Idempotency-Key header must be");
    }

    /** The events stored under an Idempotency-Key in either form: the key itself, or key#0, key#1... */
    List<String> storedUnderKey(String idempotencyKey) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select event_id from usage_events where event_id = :key or event_id like :batch order by event_id")
                .param("key", idempotencyKey).param("batch", idempotencyKey + "#%").query(String.class).list());
    }

    static Map<String, Object> withoutId(Map<String, Object> event) {
        Map<String, Object> bare = new HashMap<>(event);
        bare.remove("eventId");
        return bare;
    }

    @Test
    void anEventAloneAndABatchOfJustThatEventAreOneRequestUnderAnIdempotencyKey() {
        String key = agentKey(platform.createOrg("One request, two shapes"));
        Map<String, Object> used = withoutId(UsageEvents.event("gpt-4o", 40, 4, 0, Instant.now()));
        String idempotencyKey = "shape-" + UUID.randomUUID();

        Api.Response alone = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey)
                .json(used).send().expect(201);
        Api.Response batched = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey)
                .json(Map.of("events", List.of(used))).send();

        assertThat(batched.status()).as(batched.toString()).isEqualTo(201);
        assertThat(batched.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(batched.json().path("events").get(0)).isEqualTo(alone.json());
        assertThat(storedUnderKey(idempotencyKey)).containsExactly(idempotencyKey);
    }

    /**
     * A batch under key K names its events K#0, K#1..., which a report may also have used as
     * an id of its own. The refusal said K "was first sent with other usage events" though K
     * never had been (outside tester): it names the id and both causes now, and stores nothing.
     */
    @Test
    void aKeyWhoseEventIdAnEventAlreadyHasIsRefusedNamingThatId() {
        String key = agentKey(platform.createOrg("Key meets an id"));
        String idempotencyKey = "k-" + UUID.randomUUID();
        Map<String, Object> named = UsageEvents.event("gpt-4o", 999, 0, 0, Instant.now());
        named.put("eventId", idempotencyKey + "#0");
        api.post("/agent/v1/usage").as(key).json(named).send().expect(201);

        Api.Response batch = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey)
                .json(Map.of("events", List.of(withoutId(UsageEvents.event("gpt-4o", 100, 10, 0, Instant.now())),
                        withoutId(UsageEvents.event("gpt-4o", 200, 20, 0, Instant.now()))))).send();

        assertThat(batch.status()).as(batch.toString()).isEqualTo(409);
        assertThat(batch.text("field")).isEqualTo("Idempotency-Key");
        assertThat(batch.text("detail")).contains("gives events[0] the id '" + idempotencyKey + "#0'")
                .contains("an event was reported under that id itself");
        assertThat(storedUnderKey(idempotencyKey)).as("the batch stored nothing").containsExactly(idempotencyKey + "#0");
    }

    @Test
    void anIdempotencyKeyFirstSentWithABatchIsRefusedForOtherUsageSentAloneAndTheOtherWayRound() {
        String key = agentKey(platform.createOrg("Key reuse"));
        Map<String, Object> first = withoutId(UsageEvents.event("gpt-4o", 100, 10, 0, Instant.now()));
        Map<String, Object> second = withoutId(UsageEvents.event("gpt-4o", 200, 20, 0, Instant.now()));
        String batchKey = "batch-" + UUID.randomUUID();
        String aloneKey = "alone-" + UUID.randomUUID();

        api.post("/agent/v1/usage").as(key).header("Idempotency-Key", batchKey)
                .json(Map.of("events", List.of(first, second))).send().expect(201);
        Api.Response secondAlone = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", batchKey)
                .json(second).send();
        Api.Response firstAlone = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", batchKey)
                .json(first).send();
        api.post("/agent/v1/usage").as(key).header("Idempotency-Key", aloneKey).json(first).send().expect(201);
        Api.Response asBatch = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", aloneKey)
                .json(Map.of("events", List.of(first, second))).send();
        Api.Response batchRetried = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", batchKey)
                .json(Map.of("events", List.of(first, second))).send();

        assertThat(secondAlone.status()).as(secondAlone.toString()).isEqualTo(409);
        assertThat(secondAlone.text("field")).isEqualTo("Idempotency-Key");
        assertThat(secondAlone.text("detail")).contains("first sent with a batch");
        assertThat(firstAlone.status()).as("a part of a request is another request: " + firstAlone)
                .isEqualTo(409);
        assertThat(firstAlone.text("field")).isEqualTo("Idempotency-Key");
        assertThat(asBatch.status()).as(asBatch.toString()).isEqualTo(409);
        assertThat(asBatch.text("detail")).contains("first sent with a single event");
        assertThat(batchRetried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(storedUnderKey(batchKey)).containsExactly(batchKey + "#0", batchKey + "#1");
        assertThat(storedUnderKey(aloneKey)).containsExactly(aloneKey);
    }

    @Test
    void anIdempotencyKeyNamesOneRequestWhateverEventsItCarries() {
        String agent = platform.createAgent(platform.createOrg("One key, one request"), "Reporter");
        String other = platform.createAgent(platform.createOrg("One key, other agent"), "Other reporter");
        String key = platform.issueKey(agent);
        Instant now = Instant.now();
        Map<String, Object> a = withoutId(UsageEvents.event("gpt-4o", 1, 1, 0, now));
        Map<String, Object> b = withoutId(UsageEvents.event("gpt-4o", 2, 2, 0, now));
        Map<String, Object> c = withoutId(UsageEvents.event("gpt-4o", 3, 3, 0, now));
        Map<String, Object> ownId = new HashMap<>(a);
        ownId.put("eventId", "own-" + UUID.randomUUID());
        List<Api.Response> refused = new ArrayList<>();

        // A batch whose first event has an id of its own, then its second event alone.
        String mixed = "mixed-" + UUID.randomUUID();
        send(key, mixed, Map.of("events", List.of(ownId, b, c))).expect(201);
        refused.add(send(key, mixed, b));
        // A batch of one event with an id of its own is held to the rule of the event alone.
        String ownAlone = "own-alone-" + UUID.randomUUID();
        Map<String, Object> ownId2 = new HashMap<>(b);
        ownId2.put("eventId", "own-" + UUID.randomUUID());
        Api.Response ownIdBatchOfOne = send(key, ownAlone, Map.of("events", List.of(ownId2)));
        // The same key with other content.
        String changed = "changed-" + UUID.randomUUID();
        send(key, changed, a).expect(201);
        refused.add(send(key, changed, b));
        // A batch grown, and one shortened, under its key.
        String grown = "grown-" + UUID.randomUUID();
        send(key, grown, Map.of("events", List.of(a, b))).expect(201);
        refused.add(send(key, grown, Map.of("events", List.of(a, b, c))));
        refused.add(send(key, grown, Map.of("events", List.of(a, b, c).subList(0, 1))));
        // An operator's batch for two agents, then the second agent's event alone, reordered, and
        // grown by a third agent's event.
        String third = platform.createAgent(platform.createOrg("One key, third agent"), "Third reporter");
        String imported = "import-" + UUID.randomUUID();
        Map<String, Object> forAgent = UsageEvents.withAgent(a, agent);
        Map<String, Object> forOther = UsageEvents.withAgent(b, other);
        api.post("/api/usage").as(owner).header("Idempotency-Key", imported)
                .json(Map.of("events", List.of(forAgent, forOther))).send().expect(201);
        refused.add(api.post("/api/usage").as(owner).header("Idempotency-Key", imported).json(forOther).send());
        refused.add(api.post("/api/usage").as(owner).header("Idempotency-Key", imported)
                .json(Map.of("events", List.of(forOther, forAgent))).send());
        refused.add(api.post("/api/usage").as(owner).header("Idempotency-Key", imported)
                .json(Map.of("events", List.of(forAgent, forOther, UsageEvents.withAgent(c, third)))).send());
        Api.Response importRetried = api.post("/api/usage").as(owner).header("Idempotency-Key", imported)
                .json(Map.of("events", List.of(forAgent, forOther))).send();

        for (Api.Response response : refused) {
            assertThat(response.status()).as(response.toString()).isEqualTo(409);
            assertThat(response.text("field")).as(response.toString()).isEqualTo("Idempotency-Key");
        }
        assertThat(importRetried.status()).as(importRetried.toString()).isEqualTo(201);
        assertThat(importRetried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(storedUnderKey(mixed)).containsExactly(mixed + "#1", mixed + "#2");
        assertThat(ownIdBatchOfOne.status()).as(ownIdBatchOfOne.toString()).isEqualTo(400);
        assertThat(ownIdBatchOfOne.text("field")).isEqualTo("events[0].eventId");
        assertThat(storedUnderKey(changed)).containsExactly(changed);
        assertThat(storedUnderKey(grown)).containsExactly(grown + "#0", grown + "#1");
        assertThat(storedUnderKey(imported)).containsExactly(imported + "#0", imported + "#1");
    }

    @Test
    void anEventAloneAndABatchSentAtOnceUnderOneKeyAreStoredAsOneRequest() throws Exception {
        String key = agentKey(platform.createOrg("Racing shapes"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                Map<String, Object> first = withoutId(UsageEvents.event("gpt-4o", 100, 10, 0, Instant.now()));
                Map<String, Object> second = withoutId(UsageEvents.event("gpt-4o", 200, 20, 0, Instant.now()));
                String idempotencyKey = "race-" + UUID.randomUUID();
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                var alone = pool.submit(() -> {
                    start.await();
                    return send(key, idempotencyKey, first);
                });
                var batched = pool.submit(() -> {
                    start.await();
                    return send(key, idempotencyKey, Map.of("events", List.of(first, second)));
                });
                start.countDown();

                List<Integer> statuses = List.of(alone.get().status(), batched.get().status());
                assertThat(statuses).as("round %d: %s / %s", round, alone.get(), batched.get())
                        .containsExactlyInAnyOrder(201, 409);
                assertThat(storedUnderKey(idempotencyKey)).as("round %d", round).isIn(List.of(idempotencyKey),
                        List.of(idempotencyKey + "#0", idempotencyKey + "#1"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anIdempotencyKeyThatCannotNameABatchsEventsIsRefusedNamingTheHeader() {
        String key = agentKey(platform.createOrg("Unnameable"));
        Map<String, Object> used = withoutId(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now()));
        Map<String, Object> more = withoutId(UsageEvents.event("gpt-4o", 2, 2, 0, Instant.now()));

        Api.Response hashed = send(key, "key#0", used);
        Api.Response tooLongForTwo = send(key, "k".repeat(199), Map.of("events", List.of(used, more)));
        Api.Response longAlone = send(key, "k".repeat(200), used);
        Api.Response twoKeys = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", "first-key")
                .header("idempotency-key", "second-key").json(more).send();
        Api.Response twoKeysImported = api.post("/api/usage").as(owner).header("Idempotency-Key", "first-key")
                .header("idempotency-key", "second-key").json(UsageEvents.withAgent(more, "00000000-0000-0000-0000-"
                        + "000000000001")).send();

        assertThat(hashed.status()).as(hashed.toString()).isEqualTo(400);
        assertThat(hashed.text("field")).isEqualTo("Idempotency-Key");
        assertThat(tooLongForTwo.status()).as(tooLongForTwo.toString()).isEqualTo(400);
        assertThat(tooLongForTwo.text("field")).isEqualTo("Idempotency-Key");
        assertThat(tooLongForTwo.text("detail")).contains("at most 198");
        assertThat(longAlone.status()).as(longAlone.toString()).isEqualTo(201);
        for (Api.Response twice : List.of(twoKeys, twoKeysImported)) {
            assertThat(twice.status()).as("two keys are not one key joined by a comma: " + twice).isEqualTo(400);
            assertThat(twice.text("field")).isEqualTo("Idempotency-Key");
        }
        assertThat(storedUnderKey("first-key,second-key")).isEmpty();
    }

    Api.Response send(String agentKey, String idempotencyKey, Map<String, Object> body) {
        return api.post("/agent/v1/usage").as(agentKey).header("Idempotency-Key", idempotencyKey).json(body).send();
    }

    @Test
    void aBatchOfOneStoredAsKeyHashZeroIsFoundByItsRetryInEitherShape() {
        // Batches of one took key#0 until they were made the same request as their event alone:
        // a retry of one stored then must still be found, not stored again under the key.
        String agent = platform.createAgent(platform.createOrg("Stored the old way"), "Reporter");
        String key = platform.issueKey(agent);
        Map<String, Object> used = withoutId(UsageEvents.event("gpt-4o", 70, 7, 0, Instant.now()));
        String idempotencyKey = "earlier-" + UUID.randomUUID();
        Map<String, Object> storedThen = new HashMap<>(used);
        storedThen.put("eventId", idempotencyKey + "#0");
        Api.Response first = api.post("/agent/v1/usage").as(key).json(Map.of("events", List.of(storedThen))).send()
                .expect(201);

        Api.Response batched = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey)
                .json(Map.of("events", List.of(used))).send();
        Api.Response alone = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey)
                .json(used).send();
        Api.Response imported = api.post("/api/usage").as(owner).header("Idempotency-Key", idempotencyKey)
                .json(UsageEvents.withAgent(used, agent)).send();
        Map<String, Object> other = new HashMap<>(used);
        other.put("inputTokens", 71);
        Api.Response different = api.post("/agent/v1/usage").as(key).header("Idempotency-Key", idempotencyKey)
                .json(other).send();

        for (Api.Response retry : List.of(batched, alone, imported)) {
            assertThat(retry.status()).as(retry.toString()).isEqualTo(201);
            assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        }
        assertThat(batched.json().path("events").get(0)).isEqualTo(first.json().path("events").get(0));
        assertThat(alone.json()).isEqualTo(first.json().path("events").get(0));
        assertThat(different.status()).as(different.toString()).isEqualTo(409);
        assertThat(storedUnderKey(idempotencyKey)).containsExactly(idempotencyKey + "#0");
    }

    @Test
    void usageOfAModelWithoutAPriceIsStoredAndFlaggedNotCostedAtZero() {
        String key = agentKey(platform.createOrg("Unpriced"));

        Api.Response receipt = api.post("/agent/v1/usage").as(key)
                .json(UsageEvents.event("brand-new-model-" + UUID.randomUUID().toString().substring(0, 6), 100, 100, 0,
                        Instant.now()))
                .send().expect(201);

        assertThat(receipt.json().path("priced").asBoolean()).isFalse();
        assertThat(receipt.json().path("costUsd").isNull()).isTrue();
    }

    @Test
    void usageBelongsToTheOrgThatHeldTheAgentWhenItHappened() throws InterruptedException {
        String a = platform.createOrg("Usage before");
        String b = platform.createOrg("Usage after");
        String agent = platform.createAgent(a, "Mover");
        Instant whileInA = Instant.now();
        Thread.sleep(20);
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", b)).send().expect(200);
        Map<String, Object> early = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 10, 10, 0, whileInA), agent);
        Map<String, Object> late = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 10, 10, 0, Instant.now()), agent);

        api.post("/api/usage").as(owner).json(Map.of("events", List.of(early, late))).send().expect(201);

        assertThat(storedOrgs((String) early.get("eventId"))).containsExactly(a);
        assertThat(storedOrgs((String) late.get("eventId"))).containsExactly(b);
        if (TestDatabase.postgres()) {
            long seenFromB = transactions.read(OrgScope.of(UUID.fromString(b)), () -> jdbc
                    .sql("select count(*) from usage_events where agent_id = :agent")
                    .param("agent", UUID.fromString(agent)).query(Long.class).single());
            assertThat(seenFromB).as("org B cannot see usage stamped with org A").isEqualTo(1);
        }
    }

    @Test
    void anImportInAnOrgsContextChangesOnlyThatOrgsBill() throws InterruptedException {
        String a = platform.createOrg("Import context A");
        String b = platform.createOrg("Import context B");
        String movedFromB = platform.createAgent(b, "Moved from B");
        String stayedInB = platform.createAgent(b, "Stayed in B");
        Instant whileInB = Instant.now();
        Thread.sleep(20);
        api.post("/api/agents/" + movedFromB + "/assign-org").as(owner).json(Map.of("orgId", a)).send().expect(200);
        Map<String, Object> billedToB = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 10, 10, 0, whileInB),
                movedFromB);
        Map<String, Object> billedToA = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 10, 10, 0, Instant.now()),
                movedFromB);
        Map<String, Object> ofAnAgentInB = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 10, 10, 0,
                Instant.now()), stayedInB);

        Api.Response earlier = api.post("/api/usage").as(owner).org(a).json(Map.of("events", List.of(billedToA,
                billedToB))).send().expect(400);
        Api.Response elsewhere = api.post("/api/usage").as(owner).org(a).json(ofAnAgentInB).send().expect(404);

        assertThat(earlier.text("detail")).contains("events[1]").contains("without an org context");
        assertThat(elsewhere.text("detail")).contains("agent");
        assertThat(storedOrgs((String) billedToA.get("eventId"))).as("nothing of a refused batch is stored").isEmpty();
        assertThat(storedOrgs((String) ofAnAgentInB.get("eventId"))).isEmpty();
        api.post("/api/usage").as(owner).org(a).json(billedToA).send().expect(201);
        api.post("/api/usage").as(owner).json(Map.of("events", List.of(billedToB, ofAnAgentInB))).send().expect(201);
        assertThat(storedOrgs((String) billedToA.get("eventId"))).containsExactly(a);
        assertThat(storedOrgs((String) billedToB.get("eventId"))).containsExactly(b);
        assertThat(storedOrgs((String) ofAnAgentInB.get("eventId"))).containsExactly(b);
    }

    @Test
    void aBatchIsStoredWholeOrNotAtAll() {
        String key = agentKey(platform.createOrg("Batched"));
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(UsageEvents.event("gpt-4o", 100 + i, 10, 0, Instant.now()));
        }
        Map<String, Object> bad = UsageEvents.event("gpt-4o", -5, 10, 0, Instant.now());
        List<Map<String, Object>> withBad = new ArrayList<>(events);
        withBad.add(1, bad);

        Api.Response refused = api.post("/agent/v1/usage").as(key).json(Map.of("events", withBad)).send()
                .expect(400);
        Api.Response stored = api.post("/agent/v1/usage").as(key).json(Map.of("events", events)).send().expect(201);

        assertThat(refused.text("field")).isEqualTo("events[1].inputTokens");
        assertThat(stored.json().path("stored").asInt()).isEqualTo(3);
        assertThat(stored.json().path("duplicates").asInt()).isZero();
        assertThat(stored.json().path("events").size()).isEqualTo(3);
    }

    @Test
    void aBatchReusingAnIdWithOtherContentStoresNothing() {
        String key = agentKey(platform.createOrg("Conflicted batch"));
        Map<String, Object> earlier = UsageEvents.event("gpt-4o", 10, 10, 0, Instant.now());
        api.post("/agent/v1/usage").as(key).json(earlier).send().expect(201);
        Map<String, Object> fresh = UsageEvents.event("gpt-4o", 20, 20, 0, Instant.now());
        Map<String, Object> clash = new HashMap<>(earlier);
        clash.put("inputTokens", 11);

        Api.Response refused = api.post("/agent/v1/usage").as(key).json(Map.of("events", List.of(fresh, clash)))
                .send().expect(409);

        assertThat(refused.text("field")).isEqualTo("events[1].eventId");
        assertThat(storedOrgs((String) fresh.get("eventId"))).as("the batch's new event was not kept").isEmpty();
    }

    @Test
    void badUsageIsRefusedWithAProblemNamingTheField() {
        String key = agentKey(platform.createOrg("Strict usage"));
        Instant now = Instant.now();
        record Bad(Map<String, Object> body, String field) {
        }
        Map<String, Object> fractional = UsageEvents.event("gpt-4o", 1, 1, 0, now);
        fractional.put("inputTokens", 1.5);
        Map<String, Object> text = UsageEvents.event("gpt-4o", 1, 1, 0, now);
        text.put("outputTokens", "many");
        Map<String, Object> huge = UsageEvents.event("gpt-4o", 1, 1, 0, now);
        huge.put("inputTokens", new java.math.BigInteger("99999999999999999999999"));
        Map<String, Object> badTime = UsageEvents.event("gpt-4o", 1, 1, 0, now);
        badTime.put("occurredAt", "yesterday");
        Map<String, Object> emptyTime = UsageEvents.event("gpt-4o", 1, 1, 0, now);
        emptyTime.put("occurredAt", "");
        Map<String, Object> blankTime = UsageEvents.event("gpt-4o", 1, 1, 0, now);
        blankTime.put("occurredAt", " \t");
        Map<String, Object> noModel = UsageEvents.event("gpt-4o", 1, 1, 0, now);
        noModel.remove("model");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(UsageEvents.event("gpt-4o", 1, 1, 0, now));
        }
        for (Bad bad : List.of(new Bad(UsageEvents.event("gpt-4o", -1, 1, 0, now), "inputTokens"),
                new Bad(fractional, "inputTokens"), new Bad(text, "outputTokens"), new Bad(huge, "inputTokens"),
                new Bad(UsageEvents.event("gpt-4o", 1, 1, -1, now), "cachedInputTokens"),
                new Bad(UsageEvents.event("gpt-4o", 1, 1, 0, now.plus(1, ChronoUnit.HOURS)), "occurredAt"),
                new Bad(badTime, "occurredAt"), new Bad(emptyTime, "occurredAt"), new Bad(blankTime, "occurredAt"),
                new Bad(noModel, "model"),
                new Bad(Map.of("events", tooMany), "events"), new Bad(Map.of("events", List.of()), "events"),
                new Bad(Map.of("events", "all of them"), "events"))) {
            Api.Response response = api.post("/agent/v1/usage").as(key).json(bad.body()).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.text("field")).as(response.toString()).isEqualTo(bad.field());
        }
        api.post("/agent/v1/usage").as(key).raw("{\"events\":[").send().expect(400);
        for (String model : List.of("gpt\u0000-4o", "gpt-4o\ud800", "gpt 4o", "-gpt", "g".repeat(101))) {
            Map<String, Object> badModel = UsageEvents.event(model, 1, 1, 0, now);
            Api.Response response = api.post("/agent/v1/usage").as(key).json(badModel).send().expect(400);
            assertThat(response.text("field")).isEqualTo("model");
            assertThat(response.text("detail")).as("a model sent is not said to be missing")
                    .contains("may have up to 100 letters");
        }
    }

    /** A report under a gateway call's id could take the call's usage before it is billed, or pass for it. */
    @Test
    void reportsMayNotUseTheIdsOfTheGatewaysOwnCalls() {
        String org = platform.createOrg("Gateway ids");
        String agent = platform.createAgent(org, "Reporter");
        String key = platform.issueKey(agent);
        String callId = "gateway:" + UUID.randomUUID();
        Map<String, Object> reported = UsageEvents.event("gpt-4o", 0, 0, 0, Instant.now());
        reported.put("eventId", callId);

        assertThat(api.post("/agent/v1/usage").as(key).json(reported).send().expect(400).text("field"))
                .isEqualTo("eventId");
        assertThat(api.post("/api/usage").as(owner).json(UsageEvents.withAgent(reported, agent)).send().expect(400)
                .text("field")).isEqualTo("eventId");
        assertThat(api.post("/agent/v1/usage").as(key).json(Map.of("events", List.of(reported))).send().expect(400)
                .text("field")).isEqualTo("events[0].eventId");
        reported.remove("eventId");
        assertThat(api.post("/agent/v1/usage").as(key).header("Idempotency-Key", callId + ":after-sweep")
                .json(reported).send().expect(400).text("field")).isEqualTo("Idempotency-Key");
        assertThat(storedOrgs(callId)).isEmpty();
        assertThat(storedOrgs(callId + ":after-sweep")).isEmpty();

        reported.put("eventId", "Gateway:" + UUID.randomUUID());
        api.post("/agent/v1/usage").as(key).json(reported).send().expect(201);
    }

    @Test
    void anAgentKeyReportsUsageOnlyFromWhenItWasIssuedAndItsAgentJoinedItsOrg() throws InterruptedException {
        String orgB = platform.createOrg("Key origin");
        String orgA = platform.createOrg("Key destination");
        String agent = platform.createAgent(orgB, "Mover");
        Instant beforeKey = Instant.now();
        Thread.sleep(5);
        String key = platform.issueKey(agent);
        Instant inB = Instant.now();
        Thread.sleep(5);
        Map<String, Object> whileInB = UsageEvents.event("gpt-4o", 6, 6, 0, inB);
        api.post("/agent/v1/usage").as(key).json(whileInB).send().expect(201);
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", orgA)).send().expect(200);
        Instant inA = Instant.now();

        Map<String, Object> backdated = UsageEvents.event("gpt-4o", 7, 7, 0, beforeKey);
        Map<String, Object> year2000 = UsageEvents.event("gpt-4o", 7, 7, 0, Instant.parse("2000-01-01T00:00:00Z"));
        Map<String, Object> lateForB = UsageEvents.event("gpt-4o", 8, 8, 0, inB.plusMillis(1));
        Map<String, Object> forA = UsageEvents.event("gpt-4o", 9, 9, 0, inA);
        Api.Response refused = api.post("/agent/v1/usage").as(key).json(backdated).send().expect(400);
        api.post("/agent/v1/usage").as(key).json(year2000).send().expect(400);
        Api.Response beforeTheMove = api.post("/agent/v1/usage").as(key).json(lateForB).send().expect(400);
        api.post("/agent/v1/usage").as(key).json(forA).send().expect(201);

        assertThat(refused.text("field")).isEqualTo("occurredAt");
        assertThat(refused.text("detail")).contains("/api/usage");
        assertThat(beforeTheMove.text("field")).as("the key now speaks for A: B's past is an import")
                .isEqualTo("occurredAt");
        assertThat(storedOrgs((String) backdated.get("eventId"))).isEmpty();
        assertThat(storedOrgs((String) year2000.get("eventId"))).isEmpty();
        assertThat(storedOrgs((String) lateForB.get("eventId"))).isEmpty();
        assertThat(storedOrgs((String) whileInB.get("eventId"))).containsExactly(orgB);
        assertThat(storedOrgs((String) forA.get("eventId"))).containsExactly(orgA);
    }

    /**
     * An acknowledged event retried after its agent moved (its key now speaks from the move
     * on) is answered as the first time: the client may never have heard the first answer,
     * and refusing its retry would tell it the event was lost.
     */
    @Test
    void aRetryOfAnAcknowledgedEventIsAnsweredAsTheFirstTimeAfterItsAgentMoved() throws InterruptedException {
        String orgB = platform.createOrg("Retry origin");
        String orgA = platform.createOrg("Retry destination");
        String agent = platform.createAgent(orgB, "Retrier");
        String key = platform.issueKey(agent);
        Thread.sleep(5);
        Map<String, Object> whileInB = UsageEvents.event("gpt-4o", 6, 6, 0, Instant.now());
        Api.Response first = api.post("/agent/v1/usage").as(key).json(whileInB).send().expect(201);
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", orgA)).send().expect(200);

        Api.Response retried = api.post("/agent/v1/usage").as(key).json(whileInB).send();
        Map<String, Object> changed = new HashMap<>(whileInB);
        changed.put("outputTokens", 7);
        Api.Response reused = api.post("/agent/v1/usage").as(key).json(changed).send();
        Map<String, Object> neverSent = UsageEvents.event("gpt-4o", 6, 6, 0, Instant.parse(first.text("occurredAt")));
        Api.Response batch = api.post("/agent/v1/usage").as(key)
                .json(Map.of("events", List.of(whileInB, neverSent))).send();

        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.body()).isEqualTo(first.body());
        assertThat(reused.status()).as("the same id with other content: " + reused).isEqualTo(409);
        assertThat(batch.status()).as("an event the server never had, dated before the move: " + batch)
                .isEqualTo(400);
        assertThat(batch.text("field")).isEqualTo("events[1].occurredAt");
        assertThat(storedOrgs((String) neverSent.get("eventId"))).isEmpty();
        assertThat(storedOrgs((String) whileInB.get("eventId"))).containsExactly(orgB);
    }

    /**
     * A fast clock's event, dated ahead of the server's: billed as it arrived, to the org
     * holding the agent then, and at the price in force then. Billed at its own time, a move
     * in between would have left it on the bill of the org the agent had left before it.
     */
    @Test
    void usageDatedAheadOfTheServersClockIsBilledAsItArrives() {
        String orgA = platform.createOrg("Ahead A");
        String orgB = platform.createOrg("Ahead B");
        String agent = platform.createAgent(orgA, "Fast clock");
        String key = platform.issueKey(agent);
        Instant ahead = Instant.now().plus(2, ChronoUnit.MINUTES);
        Map<String, Object> event = UsageEvents.event("gpt-4o", 1_000, 0, 0, ahead);
        Map<String, Object> imported = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 7, 7, 0, ahead), agent);
        Instant before = Instant.now();

        Api.Response stored = api.post("/agent/v1/usage").as(key).json(event).send().expect(201);
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", orgB)).send().expect(200);
        Api.Response retried = api.post("/agent/v1/usage").as(key).json(event).send().expect(201);
        Api.Response afterTheMove = api.post("/api/usage").as(owner).json(imported).send().expect(201);

        assertThat(Instant.parse(stored.text("occurredAt"))).isBetween(before.minusMillis(1), Instant.now());
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.text("occurredAt")).isEqualTo(stored.text("occurredAt"));
        assertThat(storedOrgs((String) event.get("eventId"))).containsExactly(orgA);
        assertThat(Instant.parse(afterTheMove.text("occurredAt"))).isBefore(ahead);
        assertThat(storedOrgs((String) imported.get("eventId"))).containsExactly(orgB);
    }

    @Test
    void anAgentMayLeaveOutWhenTheUsageHappenedButAnOperatorMayNot() {
        String org = platform.createOrg("Timeless");
        String agent = platform.createAgent(org, "Now reporter");
        String key = platform.issueKey(agent);
        Map<String, Object> untimed = UsageEvents.event("gpt-4o", 3, 3, 0, Instant.now());
        untimed.remove("occurredAt");
        Instant before = Instant.now();

        Api.Response stored = api.post("/agent/v1/usage").as(key).json(untimed).send().expect(201);
        Api.Response imported = api.post("/api/usage").as(owner).json(UsageEvents.withAgent(untimed, agent)).send();

        Instant at = Instant.parse(stored.text("occurredAt"));
        assertThat(at).isBetween(before.minusMillis(1), Instant.now());
        assertThat(imported.status()).isEqualTo(400);
        assertThat(imported.text("field")).isEqualTo("occurredAt");
    }

    @Test
    void pausedAgentsAndInactiveOrgsStillReportUsageThatHappened() {
        String org = platform.createOrg("Paused usage");
        String agent = platform.createAgent(org, "Resting");
        String key = platform.issueKey(agent);
        api.post("/api/agents/" + agent + "/pause").as(owner).json(Map.of("reason", "Resting for the test")).send().expect(200);

        api.get("/agent/v1/me").as(key).send().expect(403);
        api.post("/agent/v1/usage").as(key).json(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now())).send().expect(201);

        String inactive = platform.createOrg("Inactive usage");
        String working = platform.issueKey(platform.createAgent(inactive, "Working late"));
        api.patch("/api/organizations/" + inactive).as(owner).json(Map.of("active", false)).send().expect(200);
        api.get("/agent/v1/me").as(working).send().expect(403);
        api.post("/agent/v1/usage").as(working).json(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now())).send()
                .expect(201);
    }

    @Test
    void operatorsImportUsageNamingTheAgent() {
        String org = platform.createOrg("Imported");
        String agent = platform.createAgent(org, "Imported agent");
        Map<String, Object> imported = UsageEvents.event("claude-sonnet-4", 1_000_000, 1_000_000, 0, Instant.now());
        imported.put("agentId", agent);
        Map<String, Object> unknown = UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now());
        unknown.put("agentId", UUID.randomUUID().toString());
        Map<String, Object> tooEarly = UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now().minus(30, ChronoUnit.DAYS));
        tooEarly.put("agentId", agent);
        String billingUser = platform.createUser("user", null, List.of("billing"));

        Api.Response receipt = api.post("/api/usage").as(owner).json(imported).send().expect(201);
        api.post("/api/usage").as(owner).json(unknown).send().expect(404);
        api.post("/api/usage").as(owner).json(tooEarly).send().expect(201);
        api.post("/api/usage").as(billingUser).json(imported).send().expect(403);

        assertThat(receipt.text("costUsd")).isEqualTo("18.000000000000");
        assertThat(storedOrgs((String) imported.get("eventId"))).containsExactly(org);
        assertThat(storedOrgs((String) tooEarly.get("eventId"))).as("usage from before the agent existed "
                + "belongs to the org it was created in").containsExactly(org);
    }
}
