package io.tenantry.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * Many agents in many orgs whose memories share their words, searched and read by every
 * kind of principal with random queries, while agents move between orgs (keeping or
 * clearing their memory): no answer names another agent's entry or carries its text, and
 * a bound user reaches an agent's memory exactly while the agent is in their org.
 */
@TenantryTest
class MemoryIsolationFuzzTest extends ServerTest {

    static final List<String> WORDS = List.of("invoice", "refund", "parcel", "warranty", "contract", "meeting",
            "holiday", "supplier", "delivery", "account");

    record Org(String id, String user) {
    }

    /** An agent, where it is now, and what it remembers (entry ids); its marker is in each entry. */
    static final class Agent {
        final String id;
        final String key;
        final String marker;
        final Set<String> entries = new HashSet<>();
        Org home;

        Agent(String id, String key, String marker, Org home) {
            this.id = id;
            this.key = key;
            this.marker = marker;
            this.home = home;
        }
    }

    @Test
    void noPrincipalEverReadsAnotherAgentsOrAnotherOrgsMemory() {
        Random random = new Random(20261202);
        List<Org> orgs = new ArrayList<>();
        List<Agent> agents = new ArrayList<>();
        for (int o = 0; o < 4; o++) {
            String org = platform.createOrg("Memory fuzz " + o);
            orgs.add(new Org(org, platform.createUser("user", org, List.of("agents", "memory"))));
        }
        for (int a = 0; a < 8; a++) {
            Org home = orgs.get(a % orgs.size());
            String id = platform.createAgent(home.id(), "Fuzz agent " + a);
            Agent agent = new Agent(id, platform.issueKey(id), "agentword" + (char) ('a' + a), home);
            for (int e = 0; e < 5; e++) {
                StringBuilder text = new StringBuilder();
                for (int w = 0; w < 12; w++) {
                    text.append(WORDS.get(random.nextInt(WORDS.size()))).append(' ');
                }
                agent.entries.add(api.post("/agent/v1/memory").as(agent.key).json(Map.of("category", "fact",
                        "title", agent.marker + " " + e, "content", text + agent.marker, "tags",
                        List.of(WORDS.get(random.nextInt(3))))).send().expect(201).id());
            }
            agents.add(agent);
        }

        int found = 0;
        for (int round = 0; round < 240; round++) {
            Agent agent = agents.get(random.nextInt(agents.size()));
            if (random.nextInt(20) == 0) {
                Org to = orgs.get(random.nextInt(orgs.size()));
                boolean clear = random.nextBoolean();
                Api.Response moved = api.post("/api/agents/" + agent.id + "/assign-org").as(owner)
                        .json(Map.of("orgId", to.id(), "memory", clear ? "clear" : "keep")).send();
                // Clearing without a move is refused: the agent stays, memory and all.
                moved.expect(clear && to.equals(agent.home) ? 409 : 200);
                if (clear && !to.equals(agent.home)) {
                    agent.entries.clear();
                }
                agent.home = to;
                continue;
            }
            String q = WORDS.get(random.nextInt(WORDS.size()))
                    + (random.nextInt(3) == 0 ? "%20" + agents.get(random.nextInt(agents.size())).marker : "");
            Org asker = orgs.get(random.nextInt(orgs.size()));
            int who = random.nextInt(3);
            Api.Response response = switch (who) {
                case 0 -> api.get("/agent/v1/memory?limit=100&q=" + q).as(agent.key).send();
                case 1 -> api.get("/api/agents/" + agent.id + "/memory?limit=100&q=" + q).as(asker.user()).send();
                default -> api.get("/api/agents/" + agent.id + "/memory?limit=100&q=" + q).org(asker.id()).as(owner)
                        .send();
            };
            String where = q + " as principal " + who + " about " + agent.marker;
            if (who != 0 && !asker.equals(agent.home)) {
                assertThat(response.status()).as(where).isEqualTo(404);
                assertThat(response.body()).as(where).doesNotContain(agent.marker);
                continue;
            }
            response.expect(200);
            assertThat(response.itemIds()).as(where).isSubsetOf(agent.entries);
            for (Agent other : agents) {
                if (other != agent) {
                    assertThat(response.body()).as(where).doesNotContain(other.marker).doesNotContain(other.id);
                }
            }
            for (Org other : orgs) {
                if (!other.equals(agent.home)) {
                    assertThat(response.body()).as(where).doesNotContain(other.id());
                }
            }
            found += response.items().isEmpty() ? 0 : 1;
        }
        assertThat(found).as("reads that found something").isGreaterThan(60);
    }
}
