package io.tenantry.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

import tools.jackson.databind.JsonNode;

/**
 * The platform baseline: rules of the default organization that an owner makes apply to
 * every organization's agents. Client orgs see them read-only and cannot switch them off.
 * Each test removes its baseline rules, which would otherwise judge every other test's agents.
 */
@TenantryTest
class GuardrailBaselineTest extends ServerTest {

    static final String DEFAULT = DefaultOrg.ID.toString();
    /** A word no other test sends, so that the baseline rules here judge nobody else's checks. */
    static final String WORD = "baselinezyx";

    private final List<String> added = new java.util.ArrayList<>();

    @Autowired
    Interventions interventionSummary;

    @AfterEach
    void removeBaselineRules() {
        for (String rule : added) {
            api.delete("/api/guardrails/rules/" + rule).as(owner).send();
        }
    }

    String addBaseline(String action) {
        String id = api.post("/api/guardrails/rules").org(DEFAULT).as(owner).json(Map.of("name",
                Platform.unique("Baseline"), "type", "keyword", "action", action, "keywords", List.of(WORD),
                "severity", "critical", "baseline", true)).send().expect(201).id();
        added.add(id);
        return id;
    }

    JsonNode check(String key) {
        return api.post("/agent/v1/guardrails/check").as(key).json(Map.of("direction", "input", "content",
                "say " + WORD + " now")).send().expect(200).json();
    }

    List<JsonNode> interventions(String org) {
        return api.get("/api/interventions?limit=500").org(org).as(owner).send().expect(200).items();
    }

    @Test
    void theBaselineJudgesEveryOrgsAgentsAndEachOrgKeepsItsOwnRecord() {
        String orgA = platform.createOrg("Baseline A");
        String orgB = platform.createOrg("Baseline B");
        String keyA = platform.issueKey(platform.createAgent(orgA, "A"));
        String keyB = platform.issueKey(platform.createAgent(orgB, "B"));
        String keyDefault = platform.issueKey(platform.createAgent(DEFAULT, "Operator's own"));
        assertThat(check(keyA).path("decision").asString()).as("before the baseline").isEqualTo("allow");

        String rule = addBaseline("block");

        for (String key : List.of(keyA, keyB, keyDefault)) {
            JsonNode verdict = check(key);
            assertThat(verdict.path("decision").asString()).isEqualTo("block");
            assertThat(verdict.path("matches")).singleElement().satisfies(m -> {
                assertThat(m.path("ruleId").asString()).isEqualTo(rule);
                assertThat(m.path("baseline").asBoolean()).isTrue();
            });
        }
        for (String org : List.of(orgA, orgB)) {
            assertThat(interventions(org)).singleElement().satisfies(i -> {
                assertThat(i.path("orgId").asString()).isEqualTo(org);
                assertThat(i.path("ruleId").asString()).isEqualTo(rule);
            });
        }
        Api.Response dryRun = api.post("/api/guardrails/test").org(orgA).as(owner)
                .json(Map.of("content", WORD)).send().expect(200);
        assertThat(dryRun.text("decision")).as("a dry run in a client org includes the baseline").isEqualTo("block");
        // Read across several orgs, the rule's hits are counted for each org they are the record of
        // (asked of these three alone: across every org of the test database, busier rules may
        // fill the summary).
        RuleHitSummary summary = interventionSummary.summary(OrgCallContext.unattended(Actor.system("test"), true,
                OrgScope.of(List.of(UUID.fromString(orgA), UUID.fromString(orgB), DefaultOrg.ID)), "summary",
                Instant.now()), 1);
        assertThat(summary.rules()).filteredOn(r -> r.ruleId().toString().equals(rule))
                .extracting(r -> r.orgId() + " " + r.total())
                .containsExactlyInAnyOrder(orgA + " 1", orgB + " 1", DEFAULT + " 1");
    }

    /** A baseline rule's pause is the platform's: the client org's users may not lift it, its own rule's they may. */
    @Test
    void anAgentABaselineRulePausedIsResumedByOperatorsOnly() {
        String org = platform.createOrg("Baseline paused");
        String agent = platform.createAgent(org, "Paused by the platform");
        String key = platform.issueKey(agent);
        String supervisor = platform.createUser("user", org, List.of("interventions"));
        addBaseline("pause_agent");

        assertThat(check(key).path("decision").asString()).isEqualTo("pause");
        assertThat(api.get("/api/agents/" + agent).as(owner).send().text("pausedBy")).isEqualTo("platform_rule");
        assertThat(api.post("/api/agents/" + agent + "/resume").as(supervisor).json(Map.of("reason", "Ours"))
                .send().expect(403).text("detail")).contains("platform guardrail rule");
        api.post("/api/agents/" + agent + "/resume").as(owner).json(Map.of("reason", "Reviewed")).send()
                .expect(200);

        String own = api.post("/api/guardrails/rules").org(org).as(owner).json(Map.of("name",
                Platform.unique("Own pause"), "type", "keyword", "action", "pause_agent", "keywords",
                List.of("ownpausezyx"), "severity", "high")).send().expect(201).id();
        assertThat(api.post("/agent/v1/guardrails/check").as(key).json(Map.of("direction", "input", "content",
                "ownpausezyx")).send().expect(200).text("decision")).isEqualTo("pause");
        assertThat(api.get("/api/agents/" + agent).as(owner).send().text("pausedBy")).isEqualTo("organization");
        api.post("/api/agents/" + agent + "/resume").as(supervisor).json(Map.of("reason", "Ours")).send()
                .expect(200);
        api.delete("/api/guardrails/rules/" + own).as(owner).send().expect(204);
    }

    @Test
    void aClientOrgSeesTheBaselineReadOnlyAndCannotSwitchItOff() {
        String org = platform.createOrg("Baseline client");
        String key = platform.issueKey(platform.createAgent(org, "Client agent"));
        String user = platform.createUser("user", org, List.of("guardrails", "interventions"));
        String rule = addBaseline("block");

        Api.Response listed = api.get("/api/guardrails/baseline").as(user).send().expect(200);
        assertThat(listed.items()).anySatisfy(b -> {
            assertThat(b.path("id").asString()).isEqualTo(rule);
            assertThat(b.path("keywords").get(0).asString()).isEqualTo(WORD);
            assertThat(b.has("orgId")).isFalse();
        });
        assertThat(listed.body()).doesNotContain(DEFAULT);
        assertThat(api.get("/api/guardrails/rules?limit=500").as(user).send().expect(200).itemIds())
                .as("the org's own rules").doesNotContain(rule);
        api.get("/api/guardrails/rules/" + rule).as(user).send().expect(404);
        api.patch("/api/guardrails/rules/" + rule).as(user).json(Map.of("enabled", false)).send().expect(404);
        api.patch("/api/guardrails/rules/" + rule).as(user).json(Map.of("mode", "shadow")).send().expect(404);
        api.delete("/api/guardrails/rules/" + rule).as(user).send().expect(404);
        api.post("/api/guardrails/rules").as(user).json(Map.of("name", "Mine", "type", "keyword", "action", "flag",
                "keywords", List.of("x"), "baseline", true)).send().expect(403);

        assertThat(check(key).path("decision").asString()).isEqualTo("block");
        assertThat(api.get("/api/guardrails/rules/" + rule).as(owner).send().expect(200).json().path("enabled")
                .asBoolean()).isTrue();
    }

    @Test
    void onlyOwnersMarkChangeOrDeleteBaselineRules() {
        String admin = platform.createUser("admin", null, List.of());
        String rule = addBaseline("flag");
        int version = api.get("/api/guardrails/rules/" + rule).as(owner).send().json().path("version").asInt();

        api.patch("/api/guardrails/rules/" + rule).as(admin).json(Map.of("enabled", false)).send().expect(403);
        api.patch("/api/guardrails/rules/" + rule).as(admin).json(Map.of("baseline", false)).send().expect(403);
        api.delete("/api/guardrails/rules/" + rule).as(admin).send().expect(403);
        assertThat(api.post("/api/guardrails/rules").org(DEFAULT).as(admin).json(Map.of("name", Platform.unique("Admin's"),
                "type", "keyword", "action", "flag", "keywords", List.of(WORD), "baseline", true)).send().expect(403).text("detail"))
                .contains("Only owners");
        String plain = api.post("/api/guardrails/rules").org(DEFAULT).as(admin).json(Map.of("name",
                Platform.unique("Plain"), "type", "keyword", "action", "flag", "keywords", List.of(WORD))).send()
                .expect(201).id();
        added.add(plain);
        api.patch("/api/guardrails/rules/" + plain).as(admin).json(Map.of("baseline", true)).send().expect(403);
        assertThat(api.get("/api/guardrails/rules/" + rule).as(owner).send().json().path("version").asInt())
                .as("nothing changed").isEqualTo(version);
        assertThat(api.get("/api/guardrails/rules/" + plain).as(owner).send().json().path("baseline").asBoolean())
                .isFalse();
    }

    @Test
    void baselineRulesBelongToTheDefaultOrgAndApplyToEveryAgent() {
        String org = platform.createOrg("Not the platform");
        String agent = platform.createAgent(DEFAULT, "Named");
        assertThat(api.post("/api/guardrails/rules").org(org).as(owner).json(Map.of("name", "Client baseline", "type",
                "keyword", "action", "flag", "keywords", List.of(WORD), "baseline", true)).send().expect(400).text("detail"))
                .contains("default organization");
        assertThat(api.post("/api/guardrails/rules").org(DEFAULT).as(owner).json(Map.of("name", "Narrow baseline", "type",
                "keyword", "action", "flag", "keywords", List.of(WORD), "baseline", true, "appliesTo",
                List.of(agent))).send().expect(400).text("detail"))
                .contains("appliesTo");
        assertThat(api.post("/api/guardrails/rules").org(DEFAULT).as(owner).json(Map.of("name", "Odd baseline", "type",
                "keyword", "action", "flag", "keywords", List.of(WORD), "baseline", "yes")).send().expect(400).text("detail"))
                .contains("baseline must be true or false");
        assertThat(api.get("/api/guardrails/rules?limit=500").org(org).as(owner).send().expect(200).items())
                .isEmpty();
        assertThat(api.get("/api/guardrails/baseline?limit=500").as(owner).send().expect(200).items())
                .noneSatisfy(b -> assertThat(b.path("name").asString()).endsWith("baseline"));
    }

    @Test
    void switchingABaselineRuleOffOrUnmarkingItAppliesOnTheNextCheckEverywhere() {
        String org = platform.createOrg("Baseline follower");
        String key = platform.issueKey(platform.createAgent(org, "Follower"));
        String keyDefault = platform.issueKey(platform.createAgent(DEFAULT, "Operator's"));
        String rule = addBaseline("block");
        assertThat(check(key).path("decision").asString()).isEqualTo("block");

        api.patch("/api/guardrails/rules/" + rule).as(owner).json(Map.of("enabled", false)).send().expect(200);
        assertThat(check(key).path("decision").asString()).isEqualTo("allow");
        assertThat(api.get("/api/guardrails/baseline?limit=500").as(owner).send().expect(200).itemIds())
                .doesNotContain(rule);

        api.patch("/api/guardrails/rules/" + rule).as(owner).json(Map.of("enabled", true, "baseline", false))
                .send().expect(200);
        assertThat(check(key).path("decision").asString()).as("no longer the baseline").isEqualTo("allow");
        assertThat(check(keyDefault).path("decision").asString()).as("still the default org's own rule")
                .isEqualTo("block");

        api.patch("/api/guardrails/rules/" + rule).as(owner).json(Map.of("baseline", true)).send().expect(200);
        assertThat(check(key).path("decision").asString()).isEqualTo("block");
        api.delete("/api/guardrails/rules/" + rule).as(owner).send().expect(204);
        assertThat(check(key).path("decision").asString()).isEqualTo("allow");
        assertThat(api.get("/api/guardrails/rules/" + rule + "/versions").as(owner).send().status()).isEqualTo(404);
    }
}
