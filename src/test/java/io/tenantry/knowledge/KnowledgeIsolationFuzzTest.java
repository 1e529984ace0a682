package io.tenantry.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;

/**
 * Many orgs whose documents share their words, searched by every kind of principal with
 * random queries: no answer ever names another org's document or carries its text. Each
 * org's documents hold a word of that org alone, so a leak shows in the answer's text too.
 */
@TenantryTest
class KnowledgeIsolationFuzzTest extends ServerTest {

    static final List<String> WORDS = List.of("invoice", "refund", "parcel", "warranty", "contract", "meeting",
            "password", "holiday", "salary", "supplier", "delivery", "account", "budget", "launch", "incident");

    record Org(String id, String user, String agent, String marker, Set<String> documents) {
    }

    @Test
    void noSearchByAnyPrincipalAnswersWithAnotherOrgsDocumentOrText() {
        Random random = new Random(20261201);
        List<Org> orgs = new ArrayList<>();
        Map<String, String> markerOfDocument = new HashMap<>();
        for (int o = 0; o < 6; o++) {
            String org = platform.createOrg("Fuzz " + o);
            Org made = new Org(org, platform.createUser("user", org, List.of("knowledge")),
                    platform.issueKey(platform.createAgent(org, "Fuzz agent " + o)), "orgword" + (char) ('a' + o),
                    new HashSet<>());
            for (int d = 0; d < 5; d++) {
                StringBuilder text = new StringBuilder();
                for (int w = 0; w < 40; w++) {
                    text.append(WORDS.get(random.nextInt(WORDS.size()))).append(w % 9 == 8 ? ".\n\n" : " ");
                }
                text.append(made.marker()).append('.');
                String id = api.post("/api/knowledge/documents").org(org).as(owner).json(Map.of("title",
                        made.marker() + " document " + d, "content", text.toString(), "tags",
                        List.of(WORDS.get(random.nextInt(3))))).send().expect(201).id();
                made.documents().add(id);
                markerOfDocument.put(id, made.marker());
            }
            orgs.add(made);
        }
        String defaultOrg = DefaultOrg.ID.toString();
        String shared = api.post("/api/knowledge/documents").org(defaultOrg).as(owner).json(Map.of("title",
                "Shared guide", "content", "invoice refund parcel warranty sharedword", "shared", true)).send()
                .expect(201).id();
        String internal = api.post("/api/knowledge/documents").org(defaultOrg).as(owner).json(Map.of("title",
                "Operator notes", "content", "invoice refund parcel operatorword")).send().expect(201).id();

        // Shared documents other tests of this server made are allowed as well: they are shared.
        Set<String> everyShared = new HashSet<>(api.get("/api/knowledge/shared?limit=500").as(owner).send()
                .expect(200).itemIds());
        assertThat(everyShared).contains(shared);
        int answered = 0;
        for (int round = 0; round < 300; round++) {
            Org home = orgs.get(random.nextInt(orgs.size()));
            List<String> query = new ArrayList<>();
            for (int w = 0; w <= random.nextInt(3); w++) {
                query.add(WORDS.get(random.nextInt(WORDS.size())));
            }
            if (random.nextInt(3) == 0) {
                query.add(orgs.get(random.nextInt(orgs.size())).marker());
            }
            if (random.nextInt(5) == 0) {
                query.add("operatorword");
            }
            String q = String.join("%20", query);
            String tag = random.nextInt(4) == 0 ? "&tag=" + WORDS.get(random.nextInt(3)) : "";
            int who = random.nextInt(3);
            Api.Response response = switch (who) {
                case 0 -> api.get("/api/knowledge/search?limit=50&q=" + q + tag).as(home.user()).send();
                case 1 -> api.get("/agent/v1/knowledge/search?limit=50&q=" + q + tag).as(home.agent()).send();
                default -> api.get("/api/knowledge/search?limit=50&q=" + q + tag).org(home.id()).as(owner).send();
            };
            response.expect(200);
            Set<String> allowed = new HashSet<>(home.documents());
            allowed.addAll(everyShared);
            List<String> found = response.items().stream().map(h -> h.path("documentId").asString()).toList();
            assertThat(found).as("%s as principal %d of %s", q, who, home.marker()).isSubsetOf(allowed)
                    .doesNotContain(internal);
            for (Org other : orgs) {
                if (other != home) {
                    assertThat(response.body()).as("%s as principal %d of %s", q, who, home.marker())
                            .doesNotContain(other.marker()).doesNotContain(other.id());
                }
            }
            assertThat(response.body()).doesNotContain("operatorword").doesNotContain(defaultOrg);
            answered += found.isEmpty() ? 0 : 1;
        }
        assertThat(answered).as("searches that found something").isGreaterThan(200);
    }
}
