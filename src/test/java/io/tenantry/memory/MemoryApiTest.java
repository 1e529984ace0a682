package io.tenantry.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

import tools.jackson.databind.JsonNode;

/**
 * Agents' memory through the API: what users and the agent itself keep, search and
 * forget, the limit under concurrent writes, expiry, and memory following the agent when
 * it moves. A small limit, so that reaching it costs few requests.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=agent-memory", "tenantry.memory.max-entries-per-agent=20"})
class MemoryApiTest extends ServerTest {

    static final int LIMIT = 20;
    /** Before any entry was written: counting from here counts expired entries too. */
    static final Instant LONG_AGO = Instant.parse("2000-01-01T00:00:00Z");

    @Autowired
    MemoryRepository repository;

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    MemoryExpiry expiry;

    @Autowired
    DatabaseVendor vendor;

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    static Map<String, Object> entry(String category, String title, String content, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("category", category);
        body.put("title", title);
        body.put("content", content);
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    String memoryOf(String agent) {
        return "/api/agents/" + agent + "/memory";
    }

    /** Rows the agent has in the database, expired or not, whoever holds it. */
    int rowsOf(String agent) {
        return transactions.read(OrgScope.allOrgs(),
                () -> repository.countLive(OrgScope.allOrgs(), UUID.fromString(agent), LONG_AGO));
    }

    List<String> titles(Api.Response list) {
        return list.expect(200).items().stream().map(e -> e.path("title").asString()).toList();
    }

    @Test
    void usersKeepAnAgentsMemoryAndFindItByWordsCategoryAndTag() {
        String org = platform.createOrg("Memory basics");
        String agent = platform.createAgent(org, "Concierge");
        String user = platform.createUser("user", org, List.of("agents", "memory"));
        Api.Response created = api.post(memoryOf(agent)).as(user).json(entry("preference", "Seat choice",
                "The client prefers an Aisle seat on long flights.", "importance", 4, "tags",
                List.of("Travel", "travel", "flights"))).send().expect(201);
        JsonNode first = created.json();
        assertThat(first.path("agentId").asString()).isEqualTo(agent);
        assertThat(first.path("orgId").asString()).isEqualTo(org);
        assertThat(first.path("importance").asInt()).isEqualTo(4);
        assertThat(first.path("tags").toString()).isEqualTo("[\"travel\",\"flights\"]");
        assertThat(first.path("expiresAt").isNull() || first.path("expiresAt").isMissingNode()).isTrue();
        api.post(memoryOf(agent)).as(user).json(entry("fact", "Office", "Their office is in Lyon, 50% remote."))
                .send().expect(201);
        api.post(memoryOf(agent)).as(owner).json(entry("procedure", "Refunds", "Refund within 30 days; escalate "
                + "above 500 EUR.", "importance", 5, "tags", List.of("billing"))).send().expect(201);

        assertThat(titles(api.get(memoryOf(agent)).as(user).send()))
                .as("most important first, then the default 3 below 4").containsExactly("Refunds", "Seat choice",
                        "Office");
        assertThat(titles(api.get(memoryOf(agent) + "?q=AISLE%20flights").as(user).send()))
                .as("every word, in any case").containsExactly("Seat choice");
        assertThat(titles(api.get(memoryOf(agent) + "?q=aisle%20lyon").as(user).send())).isEmpty();
        assertThat(titles(api.get(memoryOf(agent) + "?q=billing").as(user).send())).as("tags are searched")
                .containsExactly("Refunds");
        assertThat(titles(api.get(memoryOf(agent) + "?q=50%25").as(user).send())).as("a % is a character")
                .containsExactly("Office");
        assertThat(titles(api.get(memoryOf(agent) + "?q=%25").as(user).send())).containsExactly("Office");
        assertThat(titles(api.get(memoryOf(agent) + "?q=_").as(user).send())).as("and so is _").isEmpty();
        assertThat(titles(api.get(memoryOf(agent) + "?category=fact").as(user).send())).containsExactly("Office");
        assertThat(titles(api.get(memoryOf(agent) + "?tag=TRAVEL").as(user).send())).containsExactly("Seat choice");

        Api.Response page = api.get(memoryOf(agent) + "?limit=2").as(user).send().expect(200);
        assertThat(titles(page)).hasSize(2);
        String cursor = page.json().path("nextCursor").asString();
        assertThat(titles(api.get(memoryOf(agent) + "?limit=2&cursor=" + cursor).as(user).send()))
                .containsExactly("Office");

        Api.Response changed = api.patch(memoryOf(agent) + "/" + created.id()).as(owner)
                .json(Map.of("importance", "2", "content", "Window seat now.", "expires_at", "2199-01-01T00:00:00Z"))
                .send().expect(200);
        assertThat(changed.json().path("importance").asInt()).isEqualTo(2);
        assertThat(changed.json().path("updatedBy").asString()).isEqualTo(Platform.OWNER_EMAIL);
        assertThat(changed.json().path("createdBy").asString()).isNotEqualTo(Platform.OWNER_EMAIL);
        assertThat(changed.json().path("expiresAt").asString()).isEqualTo("2199-01-01T00:00:00Z");
        assertThat(api.get(memoryOf(agent) + "/" + created.id()).as(user).send().expect(200).text("content"))
                .isEqualTo("Window seat now.");

        api.delete(memoryOf(agent) + "/" + created.id()).as(user).send().expect(204);
        api.get(memoryOf(agent) + "/" + created.id()).as(user).send().expect(404);

        List<JsonNode> trail = api.get("/api/audit?limit=500").org(org).as(owner).send().expect(200).items();
        List<String> actions = trail.stream().map(e -> e.path("action").asString())
                .filter(a -> a.startsWith("memory.")).toList();
        assertThat(actions).containsExactlyInAnyOrder("memory.entry.created", "memory.entry.created",
                "memory.entry.created", "memory.entry.updated", "memory.entry.deleted");
        assertThat(trail.toString()).as("the audit keeps no memory text").doesNotContain("Aisle", "Window seat");
    }

    /**
     * Words chosen against the matcher (aaab in a run of a's) once took a full memory's search
     * 15 s of the database's CPU. Such a search is cut off after its time and refused; the
     * entries here are larger than the API takes, so that the search outlasts the limit on any
     * day, and are written past the API.
     */
    @Test
    void aSearchThatWouldRunTooLongIsRefusedAndTheNextOneAnswers() {
        Assumptions.assumeTrue(vendor == DatabaseVendor.POSTGRESQL, "PostgreSQL only: H2 looks for words with Java's "
                + "substring search, which no input slows past the limit reliably, and checks a statement's time only "
                + "between rows");
        String org = platform.createOrg("Memory search cut off");
        String agent = platform.createAgent(org, "Hoarder");
        String content = "a".repeat(1_000_000) + "ab";
        Instant now = Instant.now();
        transactions.write(OrgScope.of(UUID.fromString(org)), () -> {
            for (int i = 0; i < 100; i++) {
                repository.insert(OrgScope.of(UUID.fromString(org)), new MemoryEntry(UUID.randomUUID(),
                        UUID.fromString(agent), UUID.fromString(org), "fact", "Run " + i, content, 3, List.of(), null,
                        "test", "test", now, now), 16_384);
            }
        });
        String words = java.util.stream.IntStream.rangeClosed(1, 32).mapToObj(n -> "a".repeat(n) + "b")
                .collect(java.util.stream.Collectors.joining("%20"));

        long started = System.nanoTime();
        Api.Response refused = api.get(memoryOf(agent) + "?q=" + words).as(owner).send();
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.text("field")).isEqualTo("q");
        assertThat(refused.text("detail")).contains("took longer than " + MemoryRepository.SEARCH_SECONDS + " s");
        assertThat(tookMs).as("cut off near its limit, not run to its end").isLessThan(8_000);
        assertThat(titles(api.get(memoryOf(agent) + "?q=run%2017&limit=5").as(owner).send()))
                .containsExactly("Run 17");
    }

    @Test
    void anAgentKeepsItsOwnMemoryAndNeverSeesAnothers() {
        String org = platform.createOrg("Two agents");
        String alpha = platform.createAgent(org, "Alpha");
        String beta = platform.createAgent(org, "Beta");
        String alphaKey = platform.issueKey(alpha);
        String betaKey = platform.issueKey(beta);
        Api.Response mine = api.post("/agent/v1/memory").as(alphaKey).json(entry("context", "Alpha's note",
                "alphasecret project codename")).send().expect(201);
        assertThat(mine.json().path("agentId").asString()).isEqualTo(alpha);
        assertThat(mine.json().path("createdBy").asString()).contains("Alpha");
        api.post("/agent/v1/memory").as(betaKey).json(entry("context", "Beta's note", "betasecret")).send()
                .expect(201);

        assertThat(titles(api.get("/agent/v1/memory").as(alphaKey).send())).containsExactly("Alpha's note");
        assertThat(titles(api.get("/agent/v1/memory?q=betasecret").as(alphaKey).send())).isEmpty();
        assertThat(titles(api.get("/agent/v1/memory?q=codename").as(alphaKey).send())).containsExactly("Alpha's note");
        assertThat(api.get("/agent/v1/memory/" + mine.id()).as(betaKey).send().status()).isEqualTo(404);
        assertThat(api.patch("/agent/v1/memory/" + mine.id()).as(betaKey).json(Map.of("title", "Taken")).send()
                .status()).isEqualTo(404);
        assertThat(api.delete("/agent/v1/memory/" + mine.id()).as(betaKey).send().status()).isEqualTo(404);
        assertThat(api.get(memoryOf(beta) + "/" + mine.id()).as(owner).send().status())
                .as("an entry is reached through its own agent only").isEqualTo(404);
        assertThat(api.get("/agent/v1/memory/" + mine.id()).as(alphaKey).send().expect(200).text("title"))
                .isEqualTo("Alpha's note");
        assertThat(titles(api.get(memoryOf(alpha)).as(owner).send())).containsExactly("Alpha's note");
        api.patch("/agent/v1/memory/" + mine.id()).as(alphaKey).json(Map.of("category", "fact")).send().expect(200);
        api.delete("/agent/v1/memory/" + mine.id()).as(alphaKey).send().expect(204);
        assertThat(titles(api.get(memoryOf(alpha)).as(owner).send())).isEmpty();
    }

    @Test
    void anotherOrgsUsersReachNoneOfIt() {
        String org = platform.createOrg("Private memory");
        String other = platform.createOrg("Nosy neighbour");
        String agent = platform.createAgent(org, "Keeper");
        String neighbour = platform.createUser("user", other, List.of("agents", "memory"));
        String entryId = api.post(memoryOf(agent)).as(owner).json(entry("fact", "Secret", "privatememoryword"))
                .send().expect(201).id();
        assertThat(api.get(memoryOf(agent)).as(neighbour).send().status()).isEqualTo(404);
        assertThat(api.get(memoryOf(agent) + "/" + entryId).as(neighbour).send().status()).isEqualTo(404);
        assertThat(api.post(memoryOf(agent)).as(neighbour).json(entry("fact", "Planted", "x")).send().status())
                .isEqualTo(404);
        assertThat(api.patch(memoryOf(agent) + "/" + entryId).as(neighbour).json(Map.of("title", "Mine")).send()
                .status()).isEqualTo(404);
        assertThat(api.delete(memoryOf(agent) + "/" + entryId).as(neighbour).send().status()).isEqualTo(404);
        assertThat(api.get(memoryOf(agent)).org(other).as(owner).send().status())
                .as("an operator in another org's context").isEqualTo(404);
        String noMemoryPage = platform.createUser("user", org, List.of("agents"));
        assertThat(api.get(memoryOf(agent)).as(noMemoryPage).send().status()).isEqualTo(403);
        assertThat(api.get(memoryOf(agent) + "/" + entryId).as(owner).send().expect(200).text("title"))
                .isEqualTo("Secret");
    }

    @Test
    void expiredEntriesAreNeverReturnedAndArePurged() throws Exception {
        String org = platform.createOrg("Forgetful");
        String agent = platform.createAgent(org, "Goldfish");
        String key = platform.issueKey(agent);
        String soon = api.post("/agent/v1/memory").as(key).json(entry("context", "Short-lived", "fades",
                "expiresAt", Instant.now().plusMillis(1500).toString())).send().expect(201).id();
        api.post("/agent/v1/memory").as(key).json(entry("context", "Lasting", "stays")).send().expect(201);
        assertThat(titles(api.get("/agent/v1/memory").as(key).send())).contains("Short-lived");
        Thread.sleep(2000);

        assertThat(titles(api.get("/agent/v1/memory").as(key).send())).containsExactly("Lasting");
        assertThat(titles(api.get("/agent/v1/memory?q=fades").as(key).send())).isEmpty();
        assertThat(api.get("/agent/v1/memory/" + soon).as(key).send().status()).isEqualTo(404);
        Map<String, Object> forever = new HashMap<>();
        forever.put("expiresAt", null);
        assertThat(api.patch(memoryOf(agent) + "/" + soon).as(owner).json(forever).send().status())
                .as("an expired entry cannot be revived").isEqualTo(404);
        assertThat(rowsOf(agent)).as("not yet purged").isEqualTo(2);
        assertThat(expiry.purge(Instant.now())).isPositive();
        assertThat(rowsOf(agent)).isEqualTo(1);

        assertThat(api.post("/agent/v1/memory").as(key).json(entry("context", "Past", "x", "expiresAt",
                Instant.now().minusSeconds(5).toString())).send().status()).isEqualTo(400);
    }

    @Test
    void anAgentHoldsAtMostTheLimitEvenUnderConcurrentWrites() throws Exception {
        String org = platform.createOrg("Crowded memory");
        String agent = platform.createAgent(org, "Hoarder");
        String key = platform.issueKey(agent);
        for (int i = 0; i < LIMIT - 5; i++) {
            api.post("/agent/v1/memory").as(key).json(entry("fact", "Fact " + i, "detail " + i)).send().expect(201);
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<Api.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String title = "Racing " + i;
            answers.add(pool.submit(() -> api.post("/agent/v1/memory").as(key).json(entry("fact", title, "x")).send()));
        }
        int created = 0;
        for (Future<Api.Response> answer : answers) {
            Api.Response response = answer.get();
            assertThat(response.status()).as(response.toString()).isIn(201, 409);
            if (response.status() == 409) {
                assertThat(response.text("detail")).contains("20 memory entries");
            }
            created += response.status() == 201 ? 1 : 0;
        }
        pool.shutdown();
        assertThat(created).isEqualTo(5);
        assertThat(rowsOf(agent)).isEqualTo(LIMIT);
        assertThat(api.post(memoryOf(agent)).as(owner).json(entry("fact", "One more", "x")).send().status())
                .isEqualTo(409);

        String oldest = api.get("/agent/v1/memory?limit=1").as(key).send().expect(200).itemIds().get(0);
        api.delete("/agent/v1/memory/" + oldest).as(key).send().expect(204);
        api.post(memoryOf(agent)).as(owner).json(entry("fact", "Room again", "x")).send().expect(201);
    }

    @Test
    void memoryMovesWithTheAgentOrIsClearedAsAsked() {
        String first = platform.createOrg("First client");
        String second = platform.createOrg("Second client");
        String third = platform.createOrg("Third client");
        String agent = platform.createAgent(first, "Traveller");
        String firstUser = platform.createUser("user", first, List.of("agents", "memory"));
        String secondUser = platform.createUser("user", second, List.of("agents", "memory"));
        String entryId = api.post(memoryOf(agent)).as(owner).json(entry("relationship", "Contact", "Ask for Dana",
                "tags", List.of("people"))).send().expect(201).id();

        Api.Response refused = api.post("/api/agents/" + agent + "/assign-org").as(owner)
                .json(Map.of("orgId", second, "memory", "forget")).send().expect(400);
        assertThat(refused.text("detail")).contains("keep").contains("clear");
        assertThat(api.get("/api/agents/" + agent).as(owner).send().text("clientOrgId")).as("not moved")
                .isEqualTo(first);

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", second)).send().expect(200);
        assertThat(api.get(memoryOf(agent)).as(firstUser).send().status()).isEqualTo(404);
        List<JsonNode> kept = api.get(memoryOf(agent) + "?tag=people").as(secondUser).send().expect(200).items();
        assertThat(kept).singleElement().satisfies(e -> {
            assertThat(e.path("id").asString()).isEqualTo(entryId);
            assertThat(e.path("orgId").asString()).isEqualTo(second);
        });
        String key = platform.issueKey(agent);
        assertThat(titles(api.get("/agent/v1/memory").as(key).send())).containsExactly("Contact");
        assertThat(assigned(second, agent).path("after").path("memory").asString()).isEqualTo("kept");
        assertThat(assigned(second, agent).path("after").path("memoryEntries").asInt()).isEqualTo(1);
        assertThat(unassigned(first, agent).path("after").path("memory").asString()).isEqualTo("kept");

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", third, "memory", "clear"))
                .send().expect(200);
        assertThat(titles(api.get("/agent/v1/memory").as(key).send())).isEmpty();
        assertThat(rowsOf(agent)).isZero();
        assertThat(assigned(third, agent).path("after").path("memory").asString()).isEqualTo("cleared");
        assertThat(unassigned(second, agent).path("after").path("memory").asString()).isEqualTo("cleared");
        assertThat(unassigned(second, agent).path("after").path("memoryEntries").asInt()).isEqualTo(1);

        api.post(memoryOf(agent)).as(owner).json(entry("fact", "Back home", "x")).send().expect(201);
        api.post("/api/agents/" + agent + "/unassign-org").as(owner).json(Map.of("memory", "keep")).send()
                .expect(200);
        assertThat(titles(api.get("/agent/v1/memory").as(platform.issueKey(agent)).send()))
                .containsExactly("Back home");
    }

    /**
     * An agent keeps writing while it is moved: a write that meets the move is decided again
     * in the agent's new org, never answered that the agent does not exist; every entry is
     * filed under the org that holds the agent.
     */
    @Test
    void anAgentsWritesRacingItsMoveLandInItsOrgAndNoneIsToldItDoesNotExist() throws Exception {
        String[] orgs = {platform.createOrg("Race memory one"), platform.createOrg("Race memory two")};
        String agent = platform.createAgent(orgs[0], "Racing writer");
        String key = platform.issueKey(agent);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            // Three rounds of six: the agent holds at most twenty entries here.
            for (int round = 0; round < 3; round++) {
                String to = orgs[(round + 1) % 2];
                List<java.util.concurrent.Callable<Api.Response>> writes = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String title = "Round " + round + " note " + i;
                    writes.add(() -> api.post("/agent/v1/memory").as(key).json(entry("fact", title, "x")).send());
                }
                assertThat(racingAMove(pool, agent, to, writes)).allSatisfy(answer -> assertThat(answer.status())
                        .as(answer.toString()).isEqualTo(201));
                OrgScope all = OrgScope.allOrgs();
                assertThat(transactions.read(all, () -> jdbc.sql("select count(*) from agent_memory where agent_id = "
                        + ":agent and org_id <> :org").param("agent", UUID.fromString(agent))
                        .param("org", UUID.fromString(to)).query(Integer.class).single()))
                        .as("entries filed under an org that no longer holds the agent").isZero();
            }

            // Reading, changing and deleting its entries while it moves: each finds its entry.
            List<String> ids = api.get("/agent/v1/memory?limit=100").as(key).send().expect(200).itemIds();
            assertThat(ids).hasSize(18);
            for (int round = 0; round < 6; round++) {
                List<java.util.concurrent.Callable<Api.Response>> calls = new ArrayList<>();
                for (String id : ids) {
                    calls.add(() -> api.get("/agent/v1/memory/" + id).as(key).send());
                    calls.add(() -> api.patch("/agent/v1/memory/" + id).as(key).json(Map.of("importance", 4)).send());
                }
                calls.add(() -> api.get("/agent/v1/memory?limit=100").as(key).send());
                assertThat(racingAMove(pool, agent, orgs[round % 2], calls)).allSatisfy(answer ->
                        assertThat(answer.status()).as(answer.toString()).isEqualTo(200));
            }
            List<java.util.concurrent.Callable<Api.Response>> deletes = new ArrayList<>();
            for (String id : ids.subList(0, 9)) {
                deletes.add(() -> api.delete("/agent/v1/memory/" + id).as(key).send());
            }
            assertThat(racingAMove(pool, agent, orgs[1], deletes)).allSatisfy(answer -> assertThat(answer.status())
                    .as(answer.toString()).isEqualTo(204));
            assertThat(rowsOf(agent)).as("what was answered deleted is gone").isEqualTo(9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code calls} and the agent's move to {@code to}, all let go at once: the calls' answers. */
    List<Api.Response> racingAMove(ExecutorService pool, String agent, String to,
            List<java.util.concurrent.Callable<Api.Response>> calls) throws Exception {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Future<Api.Response>> answers = new ArrayList<>();
        for (java.util.concurrent.Callable<Api.Response> call : calls) {
            answers.add(pool.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        Future<Api.Response> move = pool.submit(() -> {
            go.await();
            return api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to)).send();
        });
        go.countDown();
        move.get().expect(200);
        List<Api.Response> answered = new ArrayList<>();
        for (Future<Api.Response> answer : answers) {
            answered.add(answer.get());
        }
        return answered;
    }

    @Test
    void movedMemoryForgetsWhoWroteItInTheEarlierOrgAndLeavesWhatExpired() throws Exception {
        String first = platform.createOrg("Old client");
        String second = platform.createOrg("New client");
        String agent = platform.createAgent(first, "Mover");
        String key = platform.issueKey(agent);
        String firstUser = platform.createUser("user", first, List.of("agents", "memory"));
        String secondUser = platform.createUser("user", second, List.of("agents", "memory"));
        String byUser = api.post(memoryOf(agent)).as(firstUser).json(entry("fact", "By a person", "x")).send()
                .expect(201).id();
        String byAgent = api.post("/agent/v1/memory").as(key).json(entry("fact", "By itself", "y")).send()
                .expect(201).id();
        api.post("/agent/v1/memory").as(key).json(entry("fact", "Fleeting", "z", "expiresAt",
                Instant.now().plusMillis(800).toString())).send().expect(201);
        String firstEmail = api.get("/api/me").as(firstUser).send().text("email");
        Thread.sleep(1200);

        assertThat(api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", first, "memory",
                "clear")).send().status()).as("clearing without a move is refused").isEqualTo(409);
        assertThat(rowsOf(agent)).as("and clears nothing").isEqualTo(3);

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", second)).send().expect(200);
        assertThat(rowsOf(agent)).as("the expired entry did not move").isEqualTo(2);
        assertThat(assigned(second, agent).path("after").path("memoryEntries").asInt()).isEqualTo(2);
        Api.Response seen = api.get(memoryOf(agent)).as(secondUser).send().expect(200);
        assertThat(seen.body()).doesNotContain(firstEmail);
        JsonNode person = api.get(memoryOf(agent) + "/" + byUser).as(secondUser).send().expect(200).json();
        assertThat(person.path("createdBy").asString()).isEqualTo(AgentMemory.EARLIER_AUTHOR);
        assertThat(person.path("updatedBy").asString()).isEqualTo(AgentMemory.EARLIER_AUTHOR);
        assertThat(api.get(memoryOf(agent) + "/" + byAgent).as(secondUser).send().expect(200).text("createdBy"))
                .isEqualTo(api.get("/api/agents/" + agent).as(owner).send().text("name"));
    }

    @Test
    void anExpiryIsStoredAsAnsweredAndNeverBlank() {
        String agent = platform.createAgent(platform.createOrg("Precise"), "Timer");
        Api.Response created = api.post(memoryOf(agent)).as(owner).json(entry("fact", "Precise", "x", "expiresAt",
                "2190-01-01T00:00:00.123456789Z")).send().expect(201);
        assertThat(created.text("expiresAt")).isEqualTo("2190-01-01T00:00:00.123456Z");
        assertThat(api.get(memoryOf(agent) + "/" + created.id()).as(owner).send().text("expiresAt"))
                .isEqualTo(created.text("expiresAt"));
        assertThat(api.post(memoryOf(agent)).as(owner).json(entry("fact", "Blank", "x", "expiresAt", "")).send()
                .status()).isEqualTo(400);
        assertThat(api.patch(memoryOf(agent) + "/" + created.id()).as(owner).json(Map.of("expiresAt", " ")).send()
                .status()).isEqualTo(400);
        assertThat(api.post(memoryOf(agent)).as(owner).json(entry("fact", "\u00a0\u2003", "x")).send().status())
                .as("a title of spaces that String.isBlank misses").isEqualTo(400);
    }

    JsonNode assigned(String org, String agent) {
        return lastEvent(org, "agent.assigned", agent);
    }

    JsonNode unassigned(String org, String agent) {
        return lastEvent(org, "agent.unassigned", agent);
    }

    JsonNode lastEvent(String org, String action, String agent) {
        return api.get("/api/audit?action=" + action + "&limit=500").org(org).as(owner).send().expect(200).items()
                .stream().filter(e -> e.path("targetId").asString().equals(agent)).findFirst().orElseThrow();
    }

    @Test
    void deletingAnAgentDeletesItsMemory() {
        String org = platform.createOrg("Short career");
        String agent = platform.createAgent(org, "Temp");
        api.post(memoryOf(agent)).as(owner).json(entry("fact", "Something", "x")).send().expect(201);
        api.delete("/api/agents/" + agent).as(owner).send().expect(204);
        assertThat(rowsOf(agent)).isZero();
        assertThat(api.get(memoryOf(agent)).as(owner).send().status()).isEqualTo(404);
    }

    @Test
    void badInputIsRefusedByNameAndStoresNothing() {
        String org = platform.createOrg("Careless client");
        String agent = platform.createAgent(org, "Target");
        String key = platform.issueKey(agent);
        String kept = api.post(memoryOf(agent)).as(owner).json(entry("fact", "Kept", "as it was", "importance", 2))
                .send().expect(201).id();
        String tooLong = "é".repeat(8193);
        List<Object[]> cases = List.of(
                new Object[] {null, null},
                new Object[] {Map.of(), "category"},
                new Object[] {entry("opinion", "t", "c"), "category"},
                new Object[] {entry("fact", " ", "c"), "title"},
                new Object[] {entry("fact", "x".repeat(201), "c"), "title"},
                new Object[] {entry("fact", "t", ""), "content"},
                new Object[] {entry("fact", "t", tooLong), "content"},
                new Object[] {entry("fact", "t", "bell \u0007"), "content"},
                new Object[] {entry("fact", "t", "c", "importance", 0), "importance"},
                new Object[] {entry("fact", "t", "c", "importance", 6), "importance"},
                new Object[] {entry("fact", "t", "c", "importance", 2.5), "importance"},
                new Object[] {entry("fact", "t", "c", "importance", "high"), "importance"},
                new Object[] {entry("fact", "t", "c", "importance", true), "importance"},
                new Object[] {entry("fact", "t", "c", "tags", "a,b"), "tags"},
                new Object[] {entry("fact", "t", "c", "tags", java.util.stream.IntStream.range(0, 21)
                        .mapToObj(i -> "t" + i).toList()), "tags"},
                new Object[] {entry("fact", "t", "c", "expiresAt", "next week"), "expiresAt"},
                new Object[] {entry("fact", "t", "c", "expiresAt", "9999-01-01T00:00:00Z"), "expiresAt"},
                new Object[] {entry("fact", "t", "c", "agentId", UUID.randomUUID().toString()), null},
                new Object[] {entry("fact", "t", "c", "orgld", UUID.randomUUID().toString()), null});
        for (Object[] one : cases) {
            Api.Call call = api.post(memoryOf(agent)).as(owner);
            Api.Response response = (one[0] == null ? call.raw("") : call.json(one[0])).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.header("Content-Type")).contains("application/problem+json");
            if (one[1] != null) {
                assertThat(response.text("field")).as(response.toString()).isEqualTo(one[1]);
            }
        }
        Api.Response huge = api.post("/agent/v1/memory").as(key).raw("{\"category\":\"fact\",\"title\":\"t\","
                + "\"content\":\"c\",\"importance\":1e4000000}").send();
        assertThat(huge.status()).isEqualTo(400);
        for (Map<String, Object> patch : List.of(Map.<String, Object>of("agentId", UUID.randomUUID().toString()),
                Map.<String, Object>of("orgId", UUID.randomUUID().toString()), Map.<String, Object>of("importance", 9),
                Map.<String, Object>of("category", "opinion"), Map.<String, Object>of("title", ""),
                Map.<String, Object>of("content", tooLong), Map.<String, Object>of("importanse", 1))) {
            assertThat(api.patch(memoryOf(agent) + "/" + kept).as(owner).json(patch).send().status())
                    .as("PATCH %s", patch).isEqualTo(400);
        }
        JsonNode after = api.get(memoryOf(agent) + "/" + kept).as(owner).send().expect(200).json();
        assertThat(after.path("title").asString()).isEqualTo("Kept");
        assertThat(after.path("importance").asInt()).isEqualTo(2);
        assertThat(rowsOf(agent)).as("nothing stored").isEqualTo(1);

        assertThat(api.get(memoryOf(agent) + "?q=" + "w".repeat(10_000)).as(owner).send().status()).isEqualTo(400);
        String manyWords = String.join("%20", java.util.stream.IntStream.range(0, 33).mapToObj(i -> "w" + i).toList());
        assertThat(api.get(memoryOf(agent) + "?q=" + manyWords).as(owner).send().status()).isEqualTo(400);
        assertThat(api.get(memoryOf(agent) + "?category=opinion").as(owner).send().status()).isEqualTo(400);
        assertThat(titles(api.get(memoryOf(agent) + "?q=%21%3F%2E%2E%2E").as(owner).send())).isEmpty();
        assertThat(titles(api.get("/agent/v1/memory?q=title%3A%28a%20OR").as(key).send())).isEmpty();
        assertThat(api.get(memoryOf(agent) + "?cursor=forged").as(owner).send().status()).isEqualTo(400);
        assertThat(api.get(memoryOf("not-a-uuid")).as(owner).send().status()).isEqualTo(400);
        assertThat(api.get(memoryOf(agent) + "/" + UUID.randomUUID()).as(owner).send().status()).isEqualTo(404);
    }
}
