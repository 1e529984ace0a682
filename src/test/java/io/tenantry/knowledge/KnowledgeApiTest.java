package io.tenantry.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;

import tools.jackson.databind.JsonNode;

/**
 * Each org's knowledge base through the API: documents, chunks, search read back in scope,
 * shared knowledge, and what is refused.
 */
@TenantryTest
class KnowledgeApiTest extends ServerTest {

    @Autowired
    KnowledgeIndex index;

    @Autowired
    IndexFollower follower;

    @Autowired
    KnowledgeRepository repository;

    @Autowired
    io.tenantry.tenancy.ScopedTransactions transactions;

    @Autowired
    DocumentsInProgress inProgress;

    static Map<String, Object> document(String title, String content, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("title", title);
        body.put("content", content);
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    /**
     * An organization adds at most two documents at once on a node (a large upload costs seconds
     * of CPU): a third, written or uploaded, is 429 with Retry-After and stores nothing, while
     * another organization adds its own; a turn given back lets the next one in.
     */
    @Test
    void anOrganizationAddsTwoDocumentsAtOnceAndAnotherOrganizationIsNotKeptWaiting() {
        String busy = platform.createOrg("Busy uploader");
        String other = platform.createOrg("Not kept waiting");
        String existing = create(busy, owner, document("Existing", "its first content")).expect(201).id();
        DocumentsInProgress.Turn first = inProgress.take(java.util.UUID.fromString(busy));
        DocumentsInProgress.Turn second = inProgress.take(java.util.UUID.fromString(busy));
        try {
            Api.Response written = create(busy, owner, document("Third", "waits its turn"));
            assertThat(written.status()).as(written.toString()).isEqualTo(429);
            assertThat(Integer.parseInt(written.header("Retry-After"))).isPositive();
            assertThat(written.text("detail")).contains("2 documents");
            Api.Response uploaded = api.post("/api/knowledge/documents/upload").org(busy).as(owner)
                    .file("third.txt", "waits its turn".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of())
                    .send();
            assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(429);
            // New content is cut and indexed again: it waits too; a new title does not.
            Api.Response rewritten = api.patch("/api/knowledge/documents/" + existing).org(busy).as(owner)
                    .json(Map.of("content", "its second content")).send();
            assertThat(rewritten.status()).as(rewritten.toString()).isEqualTo(429);
            api.patch("/api/knowledge/documents/" + existing).org(busy).as(owner).json(Map.of("title", "Renamed"))
                    .send().expect(200);
            assertThat(api.get("/api/knowledge/documents/" + existing + "/chunks").org(busy).as(owner).send()
                    .expect(200).body()).contains("its first content").doesNotContain("its second content");
            assertThat(api.get("/api/knowledge/documents").org(busy).as(owner).send().expect(200).items())
                    .extracting(d -> d.path("id").asString()).containsExactly(existing);
            create(other, owner, document("Elsewhere", "another organization adds its own")).expect(201);
        } finally {
            second.close();
        }
        create(busy, owner, document("Third", "its turn came")).expect(201);
        first.close();
        create(busy, owner, document("Fourth", "and the next")).expect(201);
        create(busy, owner, document("Fifth", "one at a time takes no turn from the next")).expect(201);
    }

    /** Turns taken at once are counted one by one: of twenty, two get one. */
    @Test
    void twentyTurnsTakenAtOnceGiveTwo() throws Exception {
        java.util.UUID org = java.util.UUID.randomUUID();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<DocumentsInProgress.Turn>> tries = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tries.add(pool.submit(() -> {
                start.await();
                try {
                    return inProgress.take(org);
                } catch (io.tenantry.api.ApiException refused) {
                    return null;
                }
            }));
        }
        start.countDown();
        List<DocumentsInProgress.Turn> taken = new java.util.ArrayList<>();
        for (java.util.concurrent.Future<DocumentsInProgress.Turn> t : tries) {
            if (t.get() != null) {
                taken.add(t.get());
            }
        }
        pool.shutdown();
        assertThat(taken).hasSize(DocumentsInProgress.PER_ORG);
        taken.forEach(DocumentsInProgress.Turn::close);
        inProgress.take(org).close();
    }

    Api.Response create(String org, String token, Map<String, Object> body) {
        return api.post("/api/knowledge/documents").org(org).as(token).json(body).send();
    }

    List<JsonNode> search(String token, String org, String q) {
        return api.get("/api/knowledge/search?q=" + q).org(org).as(token).send().expect(200).items();
    }

    static List<String> documentIds(List<JsonNode> hits) {
        return hits.stream().map(h -> h.path("documentId").asString()).distinct().toList();
    }

    @Test
    void aDocumentIsCutIntoChunksAndFoundWithItsWordsHighlighted() {
        String org = platform.createOrg("Knowledge basics");
        StringBuilder text = new StringBuilder("# Refunds\n\n");
        for (int i = 0; i < 12; i++) {
            text.append("Paragraph ").append(i).append(": customers may ask for quokkarefunds within thirty days. ")
                    .append("Our policy covers every quokkapurchase made online or in a shop.\n\n");
        }
        text.append("# Shipping\n\nParcels travel by zebracourier, our partner, within two days.\n");
        Api.Response created = create(org, owner, document("Customer handbook", text.toString(), "tags",
                List.of("Support", "support", "policies"))).expect(201);
        assertThat(created.json().path("chunkCount").asInt()).isGreaterThan(2);
        assertThat(created.json().path("tags").toString()).isEqualTo("[\"support\",\"policies\"]");
        assertThat(created.json().path("version").asInt()).isEqualTo(1);

        JsonNode chunks = api.get("/api/knowledge/documents/" + created.id() + "/chunks?limit=100").as(owner).send()
                .expect(200).json();
        List<JsonNode> items = chunks.path("items").valueStream().toList();
        assertThat(items.get(0).path("heading").asString()).isEqualTo("Refunds");
        assertThat(items.get(items.size() - 1).path("heading").asString()).isEqualTo("Shipping");
        assertThat(items).allSatisfy(c -> assertThat(c.path("content").asString().length())
                .isLessThanOrEqualTo(Chunker.TARGET + Chunker.OVERLAP + 1));

        List<JsonNode> hits = search(owner, org, "zebracourier");
        assertThat(hits).hasSize(1);
        JsonNode hit = hits.get(0);
        assertThat(hit.path("documentId").asString()).isEqualTo(created.id());
        assertThat(hit.path("title").asString()).isEqualTo("Customer handbook");
        assertThat(hit.path("heading").asString()).isEqualTo("Shipping");
        assertThat(hit.path("score").asDouble()).isPositive();
        String snippet = hit.path("snippet").asString();
        JsonNode mark = hit.path("highlights").get(0);
        assertThat(snippet.substring(mark.path("start").asInt(), mark.path("end").asInt())).isEqualTo("zebracourier");

        // Words are matched by their stem: "quokkarefund" finds "quokkarefunds", and the other way round.
        // (Words of this test alone: shared documents of other tests are searched in this context too.)
        assertThat(documentIds(search(owner, org, "quokkarefund%20quokkapurchases"))).containsExactly(created.id());
        assertThat(api.get("/api/knowledge/documents?tag=Support").org(org).as(owner).send().expect(200).itemIds())
                .containsExactly(created.id());
        assertThat(api.get("/api/knowledge/documents?tag=other").org(org).as(owner).send().expect(200).itemIds())
                .isEmpty();
    }

    /**
     * Words are matched as they read, however they were encoded (outside tester): an accent
     * precomposed or combining, a PDF's ligature, full-width letters; highlights mark the
     * words as the document writes them.
     */
    @Test
    void wordsAreFoundWhateverFormTheirLettersTake() {
        String org = platform.createOrg("Folded words");
        String text = "Notes: cafe\u0301wombat, \uFB01nancewombat and \uFF37\uFF2F\uFF2D\uFF22\uFF21\uFF34full, "
                + "soft\u00adwombat.";
        String id = create(org, owner, document("Forms of letters", text)).expect(201).id();

        Map<String, String> asWritten = Map.of("caf\u00e9wombat", "cafe\u0301wombat", "cafewombat", "cafe\u0301wombat",
                "CAFE\u0301WOMBAT", "cafe\u0301wombat", "financewombat", "\uFB01nancewombat",
                "wombatfull", "\uFF37\uFF2F\uFF2D\uFF22\uFF21\uFF34full",
                "\uFF37\uFF2F\uFF2D\uFF22\uFF21\uFF34full", "\uFF37\uFF2F\uFF2D\uFF22\uFF21\uFF34full",
                "softwombat", "soft\u00adwombat");
        asWritten.forEach((query, word) -> {
            List<JsonNode> hits = search(owner, org, java.net.URLEncoder.encode(query,
                    java.nio.charset.StandardCharsets.UTF_8));
            assertThat(documentIds(hits)).as(query).containsExactly(id);
            String snippet = hits.get(0).path("snippet").asString();
            JsonNode mark = hits.get(0).path("highlights").get(0);
            assertThat(snippet.substring(mark.path("start").asInt(), mark.path("end").asInt())).as(query)
                    .isEqualTo(word);
        });
    }

    @Test
    void anEditedOrDeletedDocumentIsNeverFoundInItsOldForm() {
        String org = platform.createOrg("Knowledge edits");
        String id = create(org, owner, document("Price list", "The premium plan costs quetzalprice dollars."))
                .expect(201).id();
        assertThat(documentIds(search(owner, org, "quetzalprice"))).containsExactly(id);

        Api.Response edited = api.patch("/api/knowledge/documents/" + id).as(owner)
                .json(Map.of("content", "The premium plan costs ocelotprice dollars.")).send().expect(200);
        assertThat(edited.json().path("version").asInt()).isEqualTo(2);
        assertThat(search(owner, org, "quetzalprice")).isEmpty();
        assertThat(documentIds(search(owner, org, "ocelotprice"))).containsExactly(id);

        api.delete("/api/knowledge/documents/" + id).as(owner).send().expect(204);
        assertThat(search(owner, org, "ocelotprice")).isEmpty();
        api.get("/api/knowledge/documents/" + id).as(owner).send().expect(404);
    }

    @Test
    void anotherOrgsDocumentsAreNeverReadOrFound() {
        String a = platform.createOrg("Knowledge A");
        String b = platform.createOrg("Knowledge B");
        String userB = platform.createUser("user", b, List.of("knowledge"));
        String agentB = platform.issueKey(platform.createAgent(b, "Agent B"));
        String secret = create(a, owner, document("A's secret", "The vault code is narwhalsecret.")).expect(201).id();
        String ownB = create(b, userB, document("B's notes", "We also mention narwhalsecret here.")).expect(201).id();

        assertThat(documentIds(search(userB, b, "narwhalsecret"))).containsExactly(ownB);
        assertThat(api.get("/agent/v1/knowledge/search?q=narwhalsecret").as(agentB).send().expect(200).items())
                .extracting(h -> h.path("documentId").asString()).containsExactly(ownB);
        api.get("/api/knowledge/documents/" + secret).as(userB).send().expect(404);
        api.get("/api/knowledge/documents/" + secret + "/chunks").as(userB).send().expect(404);
        api.patch("/api/knowledge/documents/" + secret).as(userB).json(Map.of("title", "mine")).send().expect(404);
        api.delete("/api/knowledge/documents/" + secret).as(userB).send().expect(404);
        assertThat(api.get("/api/knowledge/documents/" + secret).as(owner).send().expect(200).text("title"))
                .isEqualTo("A's secret");
    }

    /** The scores of a search are the searcher's org's own: they do not tell what another org's documents say. */
    @Test
    void anotherOrgsDocumentsDoNotMoveAnOrgsScores() {
        String a = platform.createOrg("Scores A");
        String b = platform.createOrg("Scores B");
        String userB = platform.createUser("user", b, List.of("knowledge"));
        String agentA = platform.issueKey(platform.createAgent(a, "Agent A"));
        String suffix = Long.toString(System.nanoTime(), 36);
        String target = "acquisition" + suffix;
        String unused = "neverused" + suffix;
        create(a, owner, document("probe one", "probe " + target)).expect(201);
        create(a, owner, document("probe two", "probe " + unused)).expect(201);
        double targetBefore = score(agentA, target);
        assertThat(score(agentA, unused)).isEqualTo(targetBefore);

        for (int i = 0; i < 5; i++) {
            create(b, userB, document("board minutes " + i, "Board minutes: " + target + " is confidential. "
                    + "Filler text. ".repeat(20 * i))).expect(201);
        }
        // B's search makes the index show B's documents to every search from then on.
        assertThat(search(userB, b, target)).hasSize(5);

        assertThat(score(agentA, target)).isEqualTo(targetBefore);
        assertThat(score(agentA, unused)).isEqualTo(targetBefore);
        assertThat(search(owner, a, target)).singleElement()
                .satisfies(hit -> assertThat(hit.path("score").asDouble()).isEqualTo(targetBefore));
    }

    double score(String agentKey, String word) {
        List<JsonNode> hits = api.get("/agent/v1/knowledge/search?q=" + word).as(agentKey).send().expect(200).items();
        assertThat(hits).hasSize(1);
        return hits.get(0).path("score").asDouble();
    }

    @Test
    void aChunkMisfiledInTheIndexNeverReachesAnAnswer() {
        String a = platform.createOrg("Misfiled A");
        String b = platform.createOrg("Misfiled B");
        String userB = platform.createUser("user", b, List.of("knowledge"));
        String agentB = platform.issueKey(platform.createAgent(b, "Agent B"));
        String secret = create(a, owner, document("Salaries", "The director earns okapisalary a year.")).expect(201)
                .id();
        String chunk = api.get("/api/knowledge/documents/" + secret + "/chunks").as(owner).send().expect(200)
                .itemIds().get(0);
        // The index now says A's chunk is B's, and shared, with B's tag.
        index.add(List.of(new KnowledgeRepository.Indexed(UUID.fromString(chunk), UUID.randomUUID(),
                UUID.fromString(b), true, "Salaries", List.of("pay"), "The director earns okapisalary a year.")));
        index.refresh();

        assertThat(search(userB, b, "okapisalary")).isEmpty();
        assertThat(api.get("/api/knowledge/search?q=okapisalary&tag=pay").as(userB).send().expect(200).items())
                .isEmpty();
        assertThat(api.get("/agent/v1/knowledge/search?q=okapisalary").as(agentB).send().expect(200).items())
                .isEmpty();
        assertThat(documentIds(search(owner, a, "okapisalary"))).containsExactly(secret);
    }

    @Test
    void staleEntriesOutrankingAnOrgsOwnChunksDoNotHideThem() {
        String b = platform.createOrg("Stale B");
        String userB = platform.createUser("user", b, List.of("knowledge"));
        String own = create(b, owner, document("Field notes", "Somewhere in these notes a wombatword appears, once."))
                .expect(201).id();
        // Chunks deleted since they were indexed, scoring higher than B's own: more of them than
        // a search reads back beyond what it answers, and fewer than the four candidates per
        // result it asks the index for.
        for (int i = 0; i < KnowledgeSearch.SPARE + 1; i++) {
            index.add(List.of(new KnowledgeRepository.Indexed(UUID.randomUUID(), UUID.randomUUID(), UUID.fromString(b),
                    false, "Wombatword", List.of(), "wombatword wombatword wombatword")));
        }
        index.refresh();

        assertThat(documentIds(api.get("/api/knowledge/search?q=wombatword&limit=1").as(userB).send().expect(200)
                .items())).containsExactly(own);
        assertThat(documentIds(search(userB, b, "wombatword"))).containsExactly(own);
    }

    @Test
    void sharedDocumentsReachEveryOrgsAgentsAndAreReadOnlyToClients() {
        String a = platform.createOrg("Shared reader");
        String userA = platform.createUser("user", a, List.of("knowledge"));
        String agentA = platform.issueKey(platform.createAgent(a, "Agent A"));
        String unboundUser = platform.createUser("user", null, List.of("knowledge"));
        String defaultOrg = DefaultOrg.ID.toString();
        String shared = create(defaultOrg, owner, document("Platform FAQ", "Support answers within axolotlhours.",
                "shared", true)).expect(201).id();
        String internal = create(defaultOrg, owner, document("Internal", "Our axolotlhours margin is secret."))
                .expect(201).id();

        assertThat(api.get("/agent/v1/knowledge/search?q=axolotlhours").as(agentA).send().expect(200).items())
                .extracting(h -> h.path("documentId").asString() + "/" + h.path("shared").asBoolean())
                .containsExactly(shared + "/true");
        assertThat(documentIds(search(userA, a, "axolotlhours"))).containsExactly(shared);
        Api.Response read = api.get("/api/knowledge/documents/" + shared).as(userA).send().expect(200);
        assertThat(read.json().path("editable").asBoolean()).isFalse();
        assertThat(api.get("/api/knowledge/shared").as(userA).send().expect(200).itemIds()).contains(shared)
                .doesNotContain(internal);
        api.get("/api/knowledge/documents/" + internal).as(userA).send().expect(404);
        // Read-only, said so: they read it, so it is not "not found" to them.
        assertThat(api.patch("/api/knowledge/documents/" + shared).as(userA).json(Map.of("title", "x")).send()
                .expect(403).text("detail")).contains("read-only");
        assertThat(api.delete("/api/knowledge/documents/" + shared).as(userA).send().expect(403).text("detail"))
                .contains("read-only");
        api.patch("/api/knowledge/documents/" + internal).as(userA).json(Map.of("title", "x")).send().expect(404);
        api.delete("/api/knowledge/documents/" + internal).as(userA).send().expect(404);
        assertThat(api.get("/api/knowledge/documents/" + shared).as(owner).send().expect(200).text("title"))
                .isEqualTo("Platform FAQ");

        // Only owners and admins share, and only the default organization's documents.
        create(a, owner, document("Not sharable", "text", "shared", true)).expect(400);
        create(defaultOrg, unboundUser, document("Mine to share", "text", "shared", true)).expect(403);
        api.patch("/api/knowledge/documents/" + shared).as(unboundUser).json(Map.of("title", "x")).send().expect(403);
        assertThat(api.get("/api/knowledge/documents/" + shared).as(owner).send().expect(200).json().path("editable")
                .asBoolean()).isTrue();
    }

    @Test
    void badInputIsRefusedAndStoresNothing() {
        String org = platform.createOrg("Knowledge input");
        create(org, owner, document("", "text")).expect(400);
        create(org, owner, document("Empty", "  ")).expect(400);
        create(org, owner, document("Huge", "x".repeat(KnowledgeService.MAX_CONTENT_BYTES + 1))).expect(400);
        assertThat(create(org, owner, document("Control", "a\u0000b")).expect(400).text("detail"))
                .isEqualTo("content must not contain control characters other than tabs and line breaks.");
        assertThat(create(org, owner, document("Empty tag", "text", "tags", List.of("ok", " "))).expect(400)
                .text("detail")).isEqualTo("tags must not hold an empty tag.");
        create(org, owner, document("Type", "text", "contentType", "application/pdf")).expect(400);
        create(org, owner, document("Tags", "text", "tags", "one")).expect(400);
        create(org, owner, document("Tags", "text", "tags", java.util.stream.IntStream.range(0, 21)
                .mapToObj(i -> "t" + i).toList())).expect(400);
        create(org, owner, document("Tag", "text", "tags", List.of("x".repeat(65)))).expect(400);
        assertThat(api.get("/api/knowledge/documents?tag=" + "x".repeat(65)).org(org).as(owner).send().expect(400)
                .text("field")).isEqualTo("tag");
        String agentKey = platform.issueKey(platform.createAgent(org, "Undecodable"));
        assertThat(api.get("/agent/v1/knowledge/search?q=%ED%A0%80").as(agentKey).send().expect(400).text("detail"))
                .as("a lone surrogate, percent-encoded").contains("parameters cannot be read");
        create(org, owner, document("Unknown", "text", "orgId", org)).expect(400);
        for (String source : List.of("a\nb", "a\tb", "\u00ad", "\u3164")) {
            assertThat(create(org, owner, document("Source", "text", "source", source)).expect(400).text("field"))
                    .as("a source is a line: " + source).isEqualTo("source");
        }
        String kept = create(org, owner, document("Kept", "text", "source", "https://example.test/" + "p".repeat(1000)))
                .expect(201).id();
        api.patch("/api/knowledge/documents/" + kept).as(owner).json(java.util.Collections.singletonMap("contentType",
                null)).send().expect(400);
        api.patch("/api/knowledge/documents/" + kept).as(owner).json(Map.of("source", "line\nbreak")).send().expect(400);
        assertThat(api.patch("/api/knowledge/documents/" + kept).as(owner).json(Map.of()).send().expect(200).json()
                .path("editable").asBoolean()).as("a change that changes nothing still says who may edit").isTrue();
        api.delete("/api/knowledge/documents/" + kept).as(owner).send().expect(204);
        assertThat(api.get("/api/knowledge/documents").org(org).as(owner).send().expect(200).itemIds()).isEmpty();

        create(org, owner, document("Syntax", "quokkatitle and colons: a OR quokkasyntax")).expect(201);
        for (String q : List.of("title:(a%20OR", "%22unclosed", "*", "a~2%20b%5E3", "%5B1%20TO%205%5D")) {
            assertThat(api.get("/api/knowledge/search?q=" + q).org(org).as(owner).send().status()).as(q)
                    .isIn(200, 400);
        }
        assertThat(api.get("/api/knowledge/search?q=quokkatitle:(quokkasyntax%20OR").org(org).as(owner).send()
                .expect(200).items()).hasSize(1);
        api.get("/api/knowledge/search?q=!!!%20...").org(org).as(owner).send().expect(400);
        api.get("/api/knowledge/search?q=").org(org).as(owner).send().expect(400);
        api.get("/api/knowledge/search?q=" + "a".repeat(10_000)).org(org).as(owner).send().expect(400);
        api.get("/api/knowledge/search?q=word&limit=0").org(org).as(owner).send().expect(400);
        api.get("/api/knowledge/search?q=word&limit=51").org(org).as(owner).send().expect(400);
    }

    @Test
    void onlyOwnersRebuildTheIndexAndTheRebuildFindsEverythingAgain() throws InterruptedException {
        String org = platform.createOrg("Rebuilt");
        String id = create(org, owner, document("Rebuild me", "A word like tapirrebuild.")).expect(201).id();
        String admin = platform.createUser("admin", null, List.of());
        api.post("/api/knowledge/reindex").as(admin).send().expect(403);
        api.post("/api/knowledge/reindex").as(owner).send().expect(202);
        assertThat(api.post("/api/knowledge/reindex").as(owner).send().status()).as("while one runs")
                .isIn(202, 409);
        JsonNode progress = null;
        for (int i = 0; i < 100; i++) {
            progress = api.get("/api/knowledge/reindex").as(admin).send().expect(200).json();
            if (progress.path("state").asString().equals("done")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(progress.path("state").asString()).isEqualTo("done");
        assertThat(progress.path("done").asLong()).isEqualTo(progress.path("total").asLong()).isPositive();
        assertThat(documentIds(search(owner, org, "tapirrebuild"))).containsExactly(id);
    }

    @Test
    void theChangeLogForgetsOldChangesButNeverTheLastOneAndIsStillFollowed() {
        String org = platform.createOrg("Purged log");
        create(org, owner, document("Before the purge", "Some text about dingopurge.")).expect(201);
        io.tenantry.tenancy.OrgScope all = io.tenantry.tenancy.OrgScope.allOrgs();
        long last = transactions.read(all, () -> repository.changesAfter(all, 0, 100_000)).stream()
                .mapToLong(KnowledgeRepository.Change::seq).max().orElseThrow();

        follower.purge(java.time.Instant.now().plus(java.time.Duration.ofDays(30)));

        assertThat(transactions.read(all, () -> repository.changesAfter(all, 0, 100_000)))
                .extracting(KnowledgeRepository.Change::seq).containsExactly(last);
        String after = create(org, owner, document("After the purge", "More text about dingopurge.")).expect(201)
                .id();
        assertThat(documentIds(search(owner, org, "dingopurge"))).hasSize(2).contains(after);
    }
}
