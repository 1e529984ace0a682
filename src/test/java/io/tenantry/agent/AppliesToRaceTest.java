package io.tenantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * A guardrail rule or a policy names only agents of its own organization, even when one of
 * them moves away while it is being written: the move is made here at the worst moment, once
 * the change has checked whom it names and before it writes anything. The org the agent
 * left is not left naming it: the change holds the agents it names,
 * so the move waits for it and its departure then takes the agent out. An unlocked check let
 * the change name an agent of another org, or deadlocked it against the move.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=applies-to-race")
class AppliesToRaceTest extends ServerTest {

    @MockitoSpyBean
    AgentService agents;

    /** Run once, by the next change that names agents, right after it checked them. */
    private final AtomicReference<Runnable> meanwhile = new AtomicReference<>();

    @BeforeEach
    void interfereOnceTheAgentsAreChecked() {
        meanwhile.set(null);
        doAnswer(call -> {
            Object checked = call.callRealMethod();
            Runnable work = meanwhile.getAndSet(null);
            if (work != null) {
                work.run();
            }
            return checked;
        }).when(agents).holdAgentsOf(any(), any(), any());
    }

    /**
     * Arranges for the next change to move {@code agent} to {@code org} from another request,
     * waiting a while for it: a move that waits for the change goes on once it has committed.
     */
    private CompletableFuture<Integer> moveMeanwhile(String agent, String org) {
        CompletableFuture<Integer> moved = new CompletableFuture<>();
        meanwhile.set(() -> {
            CompletableFuture.runAsync(() -> moved.complete(api.post("/api/agents/" + agent + "/assign-org")
                    .as(owner).json(Map.of("orgId", org)).send().status()));
            try {
                moved.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException waiting) {
                // The move waits for this change.
            } catch (Exception failed) {
                throw new IllegalStateException(failed);
            }
        });
        return moved;
    }

    /** The path of the kind's collection and a body of it naming {@code appliesTo}. */
    private static String path(String kind) {
        return "rule".equals(kind) ? "/api/guardrails/rules" : "/api/policies";
    }

    private static Map<String, Object> body(String kind, List<String> appliesTo) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "Named " + kind);
        body.put("appliesTo", appliesTo);
        if ("rule".equals(kind)) {
            body.putAll(Map.of("type", "keyword", "action", "block", "keywords", List.of("alpha")));
        } else {
            body.putAll(Map.of("category", "brand_voice", "enforcement", "mandatory", "content", "Be kind."));
        }
        return body;
    }

    @ParameterizedTest
    @ValueSource(strings = {"rule", "policy"})
    void anAgentThatMovesWhileAChangeNamesItIsNotLeftNamedInTheOrgItLeft(String kind) throws Exception {
        String org = platform.createOrg("Race of " + kind);
        String elsewhere = platform.createOrg("Race of " + kind + ", elsewhere");
        String stays = platform.createAgent(org, "Stays");
        String leaves = platform.createAgent(org, "Leaves");
        String id = api.post(path(kind)).org(org).as(owner).json(body(kind, List.of(stays))).send().expect(201).id();

        CompletableFuture<Integer> moved = moveMeanwhile(leaves, elsewhere);
        Api.Response changed = api.patch(path(kind) + "/" + id).as(owner)
                .json(Map.of("appliesTo", List.of(stays, leaves))).send();

        assertThat(moved.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(api.get(path(kind) + "/" + id).as(owner).send().expect(200).json().path("appliesTo").toString())
                .as("what the org the agent left names").isEqualTo("[\"" + stays + "\"]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rule", "policy"})
    void anAgentThatMovesWhileOneIsCreatedNamingItIsNotLeftNamedInTheOrgItLeft(String kind) throws Exception {
        String org = platform.createOrg("New " + kind + " race");
        String elsewhere = platform.createOrg("New " + kind + " race, elsewhere");
        String stays = platform.createAgent(org, "Stays");
        String leaves = platform.createAgent(org, "Leaves");

        CompletableFuture<Integer> moved = moveMeanwhile(leaves, elsewhere);
        Api.Response created = api.post(path(kind)).org(org).as(owner).json(body(kind, List.of(stays, leaves)))
                .send();

        assertThat(moved.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(api.get(path(kind) + "/" + created.id()).as(owner).send().expect(200).json()
                .path("appliesTo").toString()).as("what the org the agent left names")
                .isEqualTo("[\"" + stays + "\"]");
    }
}
