package io.tenantry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

import tools.jackson.databind.JsonNode;

/** Each org's policy set: versions, who it applies to, what agents read, and what is refused. */
@TenantryTest
class PolicyApiTest extends ServerTest {

    static Map<String, Object> policy(String name, Object appliesTo) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("category", "brand_voice");
        body.put("enforcement", "mandatory");
        body.put("content", "# " + name + "\n\nBe kind.");
        if (appliesTo != null) {
            body.put("appliesTo", appliesTo);
        }
        return body;
    }

    Api.Response create(String org, Map<String, Object> body) {
        return api.post("/api/policies").org(org).as(owner).json(body).send();
    }

    List<String> agentPolicies(String key) {
        return api.get("/agent/v1/policies").as(key).send().expect(200).items().stream()
                .map(p -> p.path("name").asString()).toList();
    }

    @Test
    void editingTheContentMakesANewVersionAndEarlierOnesStayReadable() {
        String org = platform.createOrg("Versioned");
        Api.Response created = create(org, policy("Tone", null)).expect(201);
        String id = created.id();
        assertThat(created.json().path("version").asInt()).isEqualTo(1);
        assertThat(created.json().path("appliesTo").asString()).isEqualTo("all");
        assertThat(created.json().path("enabled").asBoolean()).isTrue();

        Api.Response edited = api.patch("/api/policies/" + id).as(owner).json(Map.of("content", "Be brief.")).send()
                .expect(200);
        Api.Response renamed = api.patch("/api/policies/" + id).as(owner)
                .json(Map.of("name", "Tone of voice", "enforcement", "recommended")).send().expect(200);

        assertThat(edited.json().path("version").asInt()).isEqualTo(2);
        assertThat(renamed.json().path("version").asInt()).as("only the content makes a version").isEqualTo(2);
        assertThat(renamed.text("enforcement")).isEqualTo("recommended");
        List<JsonNode> versions = api.get("/api/policies/" + id + "/versions").as(owner).send().expect(200).items();
        assertThat(versions).extracting(v -> v.path("version").asInt()).containsExactly(2, 1);
        assertThat(versions.get(0).path("content").asString()).isEqualTo("Be brief.");
        assertThat(versions.get(1).path("content").asString()).startsWith("# Tone");
        assertThat(versions.get(0).path("createdBy").asString()).isEqualTo(Platform.OWNER_EMAIL);
        List<JsonNode> page = api.get("/api/policies/" + id + "/versions?limit=1").as(owner).send().expect(200)
                .items();
        String next = api.get("/api/policies/" + id + "/versions?limit=1").as(owner).send().text("nextCursor");
        assertThat(page).hasSize(1);
        assertThat(api.get("/api/policies/" + id + "/versions?limit=1&cursor=" + next).as(owner).send().expect(200)
                .items()).extracting(v -> v.path("version").asInt()).containsExactly(1);
        assertThat(api.get("/api/audit?action=policy.updated&limit=500").org(org).as(owner).send().body())
                .contains(id);
    }

    @Test
    void anAgentReadsTheEnabledPoliciesThatApplyToItWithAnETag() {
        String org = platform.createOrg("Rulebook");
        String named = platform.createAgent(org, "Named");
        String other = platform.createAgent(org, "Other");
        String namedKey = platform.issueKey(named);
        String otherKey = platform.issueKey(other);
        String everyone = create(org, policy("A everyone", null)).expect(201).id();
        create(org, policy("B named only", List.of(named))).expect(201);
        Map<String, Object> off = policy("C switched off", "all");
        off.put("enabled", false);
        create(org, off).expect(201);
        create(platform.createOrg("Elsewhere"), policy("D another org", "all")).expect(201);

        assertThat(agentPolicies(namedKey)).containsExactly("A everyone", "B named only");
        assertThat(agentPolicies(otherKey)).containsExactly("A everyone");

        Api.Response first = api.get("/agent/v1/policies").as(namedKey).send().expect(200);
        String etag = first.header("ETag");
        assertThat(etag).startsWith("\"");
        Api.Response unchanged = api.get("/agent/v1/policies").as(namedKey).header("If-None-Match", etag).send();
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(api.get("/agent/v1/policies").as(namedKey).header("If-None-Match", "*").send().status())
                .isEqualTo(304);
        api.patch("/api/policies/" + everyone).as(owner).json(Map.of("content", "Changed.")).send().expect(200);
        Api.Response changed = api.get("/agent/v1/policies").as(namedKey).header("If-None-Match", etag).send()
                .expect(200);
        assertThat(changed.header("ETag")).isNotEqualTo(etag);
        assertThat(changed.items().get(0).path("version").asInt()).isEqualTo(2);
        assertThat(changed.items().get(0).path("content").asString()).isEqualTo("Changed.");
    }

    /**
     * A policy names agents of its own org; one that leaves is no longer named while it is away,
     * and is named again when it comes back, as its org had set it. A policy its leaving
     * switched off is switched on again.
     */
    @Test
    void anAgentThatMovesAwayIsNoLongerNamedByItsOldOrgsPoliciesUntilItReturns() {
        String org = platform.createOrg("Left behind");
        String elsewhere = platform.createOrg("New home");
        String agent = platform.createAgent(org, "Mover");
        String stays = platform.createAgent(org, "Stayer");
        String key = platform.issueKey(agent);
        String id = create(org, policy("Named", List.of(agent, stays))).expect(201).id();
        create(elsewhere, policy("New rules", "all")).expect(201);

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", elsewhere)).send()
                .expect(200);

        assertThat(api.get("/api/policies/" + id).as(owner).send().json().path("appliesTo").toString())
                .isEqualTo("[\"" + stays + "\"]");
        assertThat(agentPolicies(key)).containsExactly("New rules");
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", org)).send().expect(200);
        assertThat(agentPolicies(key)).containsExactly("Named");
        String alone = create(org, policy("Only the mover", List.of(agent))).expect(201).id();
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", elsewhere)).send()
                .expect(200);
        assertThat(api.get("/api/policies/" + alone).as(owner).send().json().path("enabled").asBoolean())
                .as("named no one else: switched off").isFalse();

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", org)).send().expect(200);

        assertThat(agentPolicies(key)).containsExactly("Named", "Only the mover");
        assertThat(api.get("/api/policies/" + id).as(owner).send().json().path("appliesTo").toString())
                .contains(agent).contains(stays);
        assertThat(api.get("/api/policies/" + alone).as(owner).send().json().path("enabled").asBoolean()).isTrue();
        assertThat(api.get("/api/audit?action=policy.updated&limit=500").org(org).as(owner).send().body())
                .contains(id).contains("left the organization").contains("returned to the organization");
    }

    @Test
    void anOrgsPoliciesGoWithTheOrg() {
        String org = platform.createOrg("Short-lived");
        String id = create(org, policy("Soon gone", "all")).expect(201).id();
        api.patch("/api/policies/" + id).as(owner).json(Map.of("content", "v2")).send().expect(200);

        api.delete("/api/organizations/" + org).as(owner).send().expect(204);

        api.get("/api/policies/" + id).as(owner).send().expect(404);
    }

    @Test
    void aBoundUserKeepsTheirOrgsPoliciesAndCannotAddToAnother() {
        String org = platform.createOrg("Self-managed");
        String user = platform.createUser("user", org, List.of("guardrails"));
        String agentsOnly = platform.createUser("user", org, List.of("agents"));

        String id = api.post("/api/policies").as(user).json(policy("Our own", "all")).send().expect(201).id();
        assertThat(api.get("/api/policies/" + id).as(owner).send().text("orgId")).isEqualTo(org);
        api.post("/api/policies").org(platform.createOrg("Not theirs")).as(user).json(policy("Theirs", "all"))
                .send().expect(403);
        api.get("/api/policies").as(agentsOnly).send().expect(403);
        api.patch("/api/policies/" + id).as(agentsOnly).json(Map.of("enabled", false)).send().expect(403);
        assertThat(api.get("/api/policies/" + id).as(user).send().json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void badPoliciesAreRefusedNamingTheFieldAndNothingIsStored() {
        String org = platform.createOrg("Careful");
        String own = platform.createAgent(org, "Own");
        String foreign = platform.createAgent(platform.createOrg("Foreign"), "Foreign");
        record Bad(Map<String, Object> body, String field) {
        }
        List<Bad> bad = new ArrayList<>();
        for (String field : List.of("name", "category", "enforcement", "content")) {
            Map<String, Object> missing = policy("Missing " + field, null);
            missing.remove(field);
            bad.add(new Bad(missing, field));
        }
        Map<String, Object> category = policy("Odd category", null);
        category.put("category", "vibes");
        bad.add(new Bad(category, "category"));
        Map<String, Object> enforcement = policy("Odd enforcement", null);
        enforcement.put("enforcement", "MANDATORY");
        bad.add(new Bad(enforcement, "enforcement"));
        bad.add(new Bad(policy("Nobody", List.of()), "appliesTo"));
        bad.add(new Bad(policy("Some", "some"), "appliesTo"));
        bad.add(new Bad(policy("Twice", List.of(own, own)), "appliesTo"));
        bad.add(new Bad(policy("Not an id", List.of("agent-1")), "appliesTo"));
        bad.add(new Bad(policy("Foreign agent", List.of(own, foreign)), "appliesTo"));
        Map<String, Object> huge = policy("Huge", null);
        huge.put("content", "é".repeat(32_769));
        bad.add(new Bad(huge, "content"));
        Map<String, Object> control = policy("Control", null);
        control.put("content", "Be kind.\u0000");
        bad.add(new Bad(control, "content"));
        Map<String, Object> blank = policy("Blank", null);
        blank.put("content", " \n ");
        bad.add(new Bad(blank, "content"));
        Map<String, Object> unknown = policy("Unknown field", null);
        unknown.put("orgId", org);
        bad.add(new Bad(unknown, "orgId"));
        Map<String, Object> notABoolean = policy("Enabled as text", null);
        notABoolean.put("enabled", "yes");
        bad.add(new Bad(notABoolean, "enabled"));

        for (Bad one : bad) {
            Api.Response response = create(org, one.body());
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.text("field")).as(response.toString()).isEqualTo(one.field());
        }
        assertThat(api.get("/api/policies").org(org).as(owner).send().items()).isEmpty();

        create(org, policy("Taken", null)).expect(201);
        assertThat(create(org, policy("Taken", null)).expect(409).text("field")).isEqualTo("name");
        String id = create(org, policy("Patched badly", List.of(own))).expect(201).id();
        for (Map<String, Object> patch : List.<Map<String, Object>>of(Map.of("version", 7), Map.of("appliesTo",
                List.of(foreign)), Map.of("content", ""), Map.of("name", "Taken"), Map.of("enabled", "no"))) {
            int status = api.patch("/api/policies/" + id).as(owner).json(patch).send().status();
            assertThat(status).as(patch.toString()).isIn(400, 409);
        }
        JsonNode after = api.get("/api/policies/" + id).as(owner).send().json();
        assertThat(after.path("version").asInt()).isEqualTo(1);
        assertThat(after.path("name").asString()).isEqualTo("Patched badly");
        assertThat(after.path("appliesTo").toString()).isEqualTo("[\"" + own + "\"]");
        api.get("/api/policies/" + java.util.UUID.randomUUID()).as(owner).send().expect(404);
    }

    /** The limit of policies per org holds when many are added at once. */
    @Test
    void anOrgHasAtMostAHundredPoliciesEvenWhenManyAreAddedAtOnce() throws Exception {
        String org = platform.createOrg("Crowded");
        for (int i = 0; i < PolicyService.MAX_PER_ORG - 4; i++) {
            create(org, policy("Rule " + i, null)).expect(201);
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<Api.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = "Racing " + i;
            answers.add(pool.submit(() -> create(org, policy(name, null))));
        }
        int created = 0;
        for (Future<Api.Response> answer : answers) {
            int status = answer.get().status();
            assertThat(status).as(answer.get().toString()).isIn(201, 409);
            created += status == 201 ? 1 : 0;
        }
        pool.shutdown();

        assertThat(created).isEqualTo(4);
        assertThat(api.get("/api/policies?limit=500").org(org).as(owner).send().items())
                .hasSize(PolicyService.MAX_PER_ORG);
    }
}
