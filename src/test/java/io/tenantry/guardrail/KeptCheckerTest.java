package io.tenantry.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;

/**
 * Guardrail checks authenticate with an agent principal read up to a minute ago; the
 * statement that reads the rule set's counts confirms it. Each test first shows that the
 * server still holds the old principal, so what decides the check is that confirmation, as
 * it would be for a change made on another node.
 */
@TenantryTest
class KeptCheckerTest extends ServerTest {

    @Autowired
    RecentAgentKeys recentKeys;

    private void blockWord(String org, String word) {
        api.post("/api/guardrails/rules").org(org).as(owner).json(Map.of("name", "No " + word, "type", "keyword",
                "action", "block", "keywords", List.of(word))).send().expect(201);
    }

    private Api.Response check(String key, String content) {
        return api.post("/agent/v1/guardrails/check").as(key).json(Map.of("direction", "input", "content", content))
                .send();
    }

    private List<JsonNode> interventions(String org) {
        return api.get("/api/interventions?limit=100").org(org).as(owner).send().expect(200).items();
    }

    @Test
    void aKeyRevokedAfterItsPrincipalWasKeptIsJudgedNoMoreAndNothingIsRecorded() {
        String org = platform.createOrg("Revoked checker");
        String agent = platform.createAgent(org, "Soon revoked");
        blockWord(org, "forbidden");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        check(key, "harmless").expect(200);
        api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);
        assertThat(recentKeys.principal(key)).as("still kept: only the confirmation stands in the way").isPresent();

        Api.Response refused = check(key, "something forbidden");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.text("detail")).contains("valid agent key");
        assertThat(interventions(org)).as("nothing judged, nothing recorded").isEmpty();
        assertThat(recentKeys.principal(key)).as("forgotten once found revoked").isEmpty();
    }

    /** A key used, then revoked: still kept by the server, as on a node that did not see the revocation. */
    private String revokedButKept(String orgName) {
        String agent = platform.createAgent(platform.createOrg(orgName), "Careless");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        check(key, "harmless").expect(200);
        api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);
        assertThat(recentKeys.principal(key)).isPresent();
        return key;
    }

    /**
     * A kept key is told it was revoked, as a key never seen is, before it is told what is
     * wrong with its request: whether its body is refused by the rules, cannot be read at all,
     * or it asks in another org.
     */
    @Test
    void aRevokedKeyStillKeptGetsA401WhateverElseIsWrongWithItsCheck() {
        String badValue = revokedButKept("Revoked, then careless checker");
        String unreadable = revokedButKept("Revoked, then unreadable checker");
        String elsewhere = revokedButKept("Revoked, then wandering checker");

        Api.Response refusedValue = api.post("/agent/v1/guardrails/check").as(badValue)
                .json(Map.of("direction", "sideways", "content", "x")).send();
        Api.Response refusedBody = api.post("/agent/v1/guardrails/check").as(unreadable).raw("{\"direction\": ").send();
        Api.Response refusedOrg = api.post("/agent/v1/guardrails/check").as(elsewhere).org(platform.createOrg("Other"))
                .json(Map.of("direction", "input", "content", "x")).send();

        for (Api.Response refused : List.of(refusedValue, refusedBody, refusedOrg)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
            assertThat(refused.text("detail")).isEqualTo(RecentAgentKeys.INVALID_KEY);
        }
    }

    @Test
    void anAgentPausedAfterItsPrincipalWasKeptIsRefusedWithTheReason() {
        String org = platform.createOrg("Paused checker");
        String agent = platform.createAgent(org, "Pausable");
        blockWord(org, "forbidden");
        String key = platform.issueKey(agent);
        check(key, "harmless").expect(200);
        api.post("/api/agents/" + agent + "/pause").as(owner).json(Map.of("reason", "Paused for the test")).send()
                .expect(200);
        assertThat(recentKeys.principal(key).map(AgentPrincipal::status)).contains("active");

        Api.Response refused = check(key, "something forbidden");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("paused");
        assertThat(interventions(org)).as("the pause itself, and no check's").singleElement()
                .satisfies(i -> assertThat(i.path("mode").asString()).isEqualTo("manual"));
    }

    @Test
    void anAgentMovedAfterItsPrincipalWasKeptIsJudgedByItsNewOrgsRulesAndRecordedThere() {
        String left = platform.createOrg("Checker left behind");
        String joined = platform.createOrg("Checker moved to");
        String agent = platform.createAgent(left, "Mover");
        blockWord(left, "oldword");
        blockWord(joined, "newword");
        String key = platform.issueKey(agent);
        check(key, "harmless").expect(200);
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", joined)).send().expect(200);
        assertThat(recentKeys.principal(key).map(AgentPrincipal::orgId).map(Object::toString)).contains(left);

        Api.Response askingInOldOrg = api.post("/agent/v1/guardrails/check").as(key).org(left)
                .json(Map.of("direction", "input", "content", "an oldword here")).send();
        Api.Response oldRules = check(key, "an oldword here").expect(200);
        Api.Response newRules = check(key, "a newword here").expect(200);

        assertThat(askingInOldOrg.status()).as("named the org it left: " + askingInOldOrg).isEqualTo(403);
        assertThat(oldRules.text("decision")).as("the org left judges it no more").isEqualTo("allow");
        assertThat(newRules.text("decision")).isEqualTo("block");
        assertThat(interventions(left)).isEmpty();
        assertThat(interventions(joined)).singleElement()
                .satisfies(i -> assertThat(i.path("agentId").asString()).isEqualTo(agent));
    }
}
