package io.tenantry.guardrail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import io.tenantry.agent.DepartedAgents;
import io.tenantry.support.Api;
import io.tenantry.support.PostgresOnly;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;

/**
 * A person's change of a rule or policy made while an agent it names leaves or comes back
 * stands. The change is made here at the worst moment: once the move has found the items
 * that name (or named) the agent, before it locks them. The move then worked from what it
 * had found: a rule switched to "all" was switched off as naming no one, a baseline
 * promotion undone, and a person's new choice of agents had the returning one added back
 * (outside tester, on PostgreSQL; on H2 writes take turns and no change comes between).
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=departure-race")
@PostgresOnly("on H2 write transactions take turns, so no change can come in the middle of a move")
class DepartureRaceTest extends ServerTest {

    @MockitoSpyBean
    GuardrailRepository rules;

    @MockitoSpyBean
    DepartedAgents departed;

    /** Run once, by the next move, right after it found the items of {@code table} (null: rules naming it). */
    private final AtomicReference<Runnable> meanwhile = new AtomicReference<>();
    private final AtomicReference<String> table = new AtomicReference<>();

    @BeforeEach
    void interfereOnceTheMoveHasFoundItsItems() {
        meanwhile.set(null);
        doAnswer(call -> {
            Object found = call.callRealMethod();
            if (table.get() == null) {
                runMeanwhile();
            }
            return found;
        }).when(rules).naming(any(), any(), any());
        doAnswer(call -> {
            Object found = call.callRealMethod();
            if (((DepartedAgents.Table) call.getArgument(0)).name().equals(table.get())) {
                runMeanwhile();
            }
            return found;
        }).when(departed).of(any(), any(), any(), any());
    }

    private void runMeanwhile() {
        Runnable work = meanwhile.getAndSet(null);
        if (work != null) {
            work.run();
        }
    }

    /** Arranges for {@code change} to be made, from another request, in the middle of the next move. */
    private CompletableFuture<Api.Response> changeMeanwhile(String itemsTable, Supplier<Api.Response> change) {
        CompletableFuture<Api.Response> changed = new CompletableFuture<>();
        table.set(itemsTable);
        meanwhile.set(() -> {
            try {
                changed.complete(CompletableFuture.supplyAsync(change).get(10, TimeUnit.SECONDS));
            } catch (Exception failed) {
                changed.completeExceptionally(failed);
            }
        });
        return changed;
    }

    private Api.Response move(String agent, String org) {
        return api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", org)).send();
    }

    private String rule(String org, List<String> appliesTo) {
        Map<String, Object> body = GuardrailApiTest.keywordRule("Xenon " + appliesTo.size(), "block", "xenon");
        body.put("appliesTo", appliesTo);
        return api.post("/api/guardrails/rules").org(org).as(owner).json(body).send().expect(201).id();
    }

    private String check(String key) {
        return api.post("/agent/v1/guardrails/check").as(key).json(Map.of("direction", "input", "content",
                "xenon")).send().expect(200).text("decision");
    }

    @Test
    void aRuleSwitchedToAllAgentsWhileOneOfThemLeavesStaysOnForAll() throws Exception {
        String org = platform.createOrg("All while leaving");
        String elsewhere = platform.createOrg("All while leaving, elsewhere");
        String leaves = platform.createAgent(org, "Leaves");
        String stays = platform.createAgent(org, "Stays");
        String rule = rule(org, List.of(leaves, stays));

        CompletableFuture<Api.Response> changed = changeMeanwhile(null, () -> api.patch("/api/guardrails/rules/"
                + rule).as(owner).json(Map.of("appliesTo", "all")).send());
        move(leaves, elsewhere).expect(200);

        assertThat(changed.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        JsonNode after = api.get("/api/guardrails/rules/" + rule).as(owner).send().expect(200).json();
        assertThat(after.path("appliesTo").asString()).isEqualTo("all");
        assertThat(after.path("enabled").asBoolean()).isTrue();
        assertThat(check(platform.issueKey(stays))).isEqualTo("block");
    }

    @Test
    void aPersonsChoiceOfAgentsMadeWhileOneComesBackStands() throws Exception {
        String org = platform.createOrg("Chosen while returning");
        String elsewhere = platform.createOrg("Chosen while returning, elsewhere");
        String returns = platform.createAgent(org, "Returns");
        String chosen = platform.createAgent(org, "Chosen");
        String rule = rule(org, List.of(returns));
        move(returns, elsewhere).expect(200);

        CompletableFuture<Api.Response> changed = changeMeanwhile("guardrail_rule_departures", () -> api.patch(
                "/api/guardrails/rules/" + rule).as(owner).json(Map.of("appliesTo", List.of(chosen), "enabled", true))
                .send());
        move(returns, org).expect(200);

        assertThat(changed.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(api.get("/api/guardrails/rules/" + rule).as(owner).send().expect(200).json().path("appliesTo")
                .toString()).isEqualTo("[\"" + chosen + "\"]");
        assertThat(check(platform.issueKey(returns))).isEqualTo("allow");
    }

    @Test
    void aPoliciesChoiceOfAgentsMadeWhileOneComesBackStands() throws Exception {
        String org = platform.createOrg("Policy chosen while returning");
        String elsewhere = platform.createOrg("Policy chosen while returning, elsewhere");
        String returns = platform.createAgent(org, "Returns");
        Map<String, Object> body = new HashMap<>(Map.of("name", "Voice", "category", "brand_voice", "enforcement",
                "mandatory", "content", "Be kind.", "appliesTo", List.of(returns)));
        String policy = api.post("/api/policies").org(org).as(owner).json(body).send().expect(201).id();
        move(returns, elsewhere).expect(200);

        CompletableFuture<Api.Response> changed = changeMeanwhile("policy_departures", () -> api.patch(
                "/api/policies/" + policy).as(owner).json(Map.of("appliesTo", "all", "enabled", false)).send());
        move(returns, org).expect(200);

        assertThat(changed.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        JsonNode after = api.get("/api/policies/" + policy).as(owner).send().expect(200).json();
        assertThat(after.path("appliesTo").asString()).isEqualTo("all");
        assertThat(after.path("enabled").asBoolean()).as("switched off by a person, not by a departure").isFalse();
    }
}
