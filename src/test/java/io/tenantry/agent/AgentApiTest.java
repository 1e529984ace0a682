package io.tenantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

@TenantryTest
class AgentApiTest extends ServerTest {

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    Api.Response agent(String id) {
        return api.get("/api/agents/" + id).as(owner).send().expect(200);
    }

    @Test
    void aNewAgentLandsInTheOrgContextOrTheDefaultOrg() {
        String org = platform.createOrg("Context");

        Api.Response inContext = api.post("/api/agents").as(owner).org(org)
                .json(Map.of("name", "Sales Bot", "email", Platform.unique("sales").replace(" ", "") + "@x.io",
                        "model", "gpt-4o", "description", "Sells"))
                .send().expect(201);
        Api.Response noContext = api.post("/api/agents").as(owner).json(Map.of("name", "HR Helper")).send()
                .expect(201);

        assertThat(inContext.text("clientOrgId")).isEqualTo(org);
        assertThat(inContext.text("status")).isEqualTo("active");
        assertThat(inContext.text("effectiveStatus")).isEqualTo("active");
        assertThat(inContext.text("model")).isEqualTo("gpt-4o");
        assertThat(noContext.text("clientOrgId")).isEqualTo(DefaultOrg.ID.toString());
    }

    /**
     * A move finds the agent in the org context, as every other agent endpoint does (outside
     * tester: in org A's context an admin moved B's agent into A, and A's users read its memory).
     */
    @Test
    void aMoveFindsTheAgentInTheOrgContext() {
        String a = platform.createOrg("Context A");
        String b = platform.createOrg("Context B");
        String agent = platform.createAgent(b, "B's agent");

        for (Api.Response refused : List.of(
                api.post("/api/agents/" + agent + "/assign-org").as(owner).org(a).json(Map.of("orgId", a)).send(),
                api.post("/api/agents/" + agent + "/unassign-org").as(owner).org(a).send())) {
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(agent(agent).text("clientOrgId")).isEqualTo(b);
        assertThat(api.get("/api/agents/" + agent + "/assignments").as(owner).send().expect(200).items()).hasSize(1);

        // In its own org's context, or in none, it moves, wherever to.
        api.post("/api/agents/" + agent + "/assign-org").as(owner).org(b).json(Map.of("orgId", a)).send().expect(200);
        assertThat(agent(agent).text("clientOrgId")).isEqualTo(a);
        api.post("/api/agents/" + agent + "/unassign-org").as(owner).send().expect(200);
        assertThat(agent(agent).text("clientOrgId")).isEqualTo(DefaultOrg.ID.toString());
    }

    @Test
    void aBillingRateOverrideIsSetAndClearedWithNull() {
        String org = platform.createOrg(Map.of("name", Platform.unique("Rated"), "billingRatePerAgent", 50,
                "currency", "EUR"));
        String id = platform.createAgent(org, "Rated agent");

        Api.Response overridden = api.patch("/api/agents/" + id).as(owner).json(Map.of("billingRateOverride", "75.5"))
                .send().expect(200);
        Map<String, Object> clear = new HashMap<>();
        clear.put("billingRateOverride", null);
        Api.Response cleared = api.patch("/api/agents/" + id).as(owner).json(clear).send().expect(200);

        assertThat(overridden.text("billingRateOverride")).isEqualTo("75.50");
        assertThat(overridden.text("effectiveBillingRate")).isEqualTo("75.50");
        assertThat(cleared.json().path("billingRateOverride").isNull()).isTrue();
        assertThat(cleared.text("effectiveBillingRate")).isEqualTo("50.00");
        // A rate is in its organization's currency, which the agent carries so that a list of
        // agents of several organizations shows which.
        assertThat(cleared.text("clientOrgCurrency")).isEqualTo("EUR");
        assertThat(api.get("/api/agents").as(owner).org(org).send().expect(200).items().get(0)
                .path("clientOrgCurrency").asString()).isEqualTo("EUR");
    }

    /** An agent's amounts are in its org's currency: 50 EUR must not become 50 NGN by a move. */
    @Test
    void aMoveToAnOrgBillingInAnotherCurrencyRestatesTheAgentsAmountsOrIsRefused() {
        String euros = platform.createOrg(Map.of("name", Platform.unique("Euros"), "currency", "EUR"));
        String moreEuros = platform.createOrg(Map.of("name", Platform.unique("More euros"), "currency", "EUR"));
        String naira = platform.createOrg(Map.of("name", Platform.unique("Naira"), "currency", "NGN"));
        String id = platform.createAgent(euros, "Priced agent");
        api.patch("/api/agents/" + id).as(owner).json(Map.of("billingRateOverride", "50.00", "monthlyBudget", "20.00"))
                .send().expect(200);
        String plain = platform.createAgent(euros, "Plain agent");

        Api.Response refused = api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", naira))
                .send().expect(409);
        Api.Response home = api.post("/api/agents/" + id + "/unassign-org").as(owner).send().expect(409);
        Api.Response half = api.post("/api/agents/" + id + "/assign-org").as(owner)
                .json(Map.of("orgId", naira, "billingRateOverride", "30000")).send().expect(400);

        assertThat(refused.text("field")).isEqualTo("billingRateOverride");
        assertThat(refused.text("detail")).contains("50.00 EUR", "20.00 EUR", "NGN");
        assertThat(home.text("detail")).contains("USD");
        assertThat(half.text("field")).isEqualTo("monthlyBudget");
        assertThat(agent(id).text("clientOrgId")).as("a refused move moves nothing").isEqualTo(euros);
        assertThat(api.get("/api/agents/" + id + "/assignments").as(owner).send().expect(200).items()).hasSize(1);
        assertThat(api.get("/api/organizations/" + euros).as(owner).send().expect(200).json().path("agents").size())
                .isEqualTo(2);

        api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", moreEuros)).send().expect(200);
        assertThat(agent(id).text("billingRateOverride")).as("the same currency keeps them").isEqualTo("50.00");
        api.post("/api/agents/" + plain + "/assign-org").as(owner).json(Map.of("orgId", naira)).send().expect(200);

        Map<String, Object> restated = new HashMap<>(Map.of("orgId", naira, "billing_rate_override", "30000"));
        restated.put("monthlyBudget", null);
        Api.Response moved = api.post("/api/agents/" + id + "/assign-org").as(owner).json(restated).send()
                .expect(200);
        assertThat(moved.text("clientOrgId")).isEqualTo(naira);
        assertThat(moved.text("clientOrgCurrency")).isEqualTo("NGN");
        assertThat(moved.text("billingRateOverride")).isEqualTo("30000.00");
        assertThat(moved.json().path("monthlyBudget").isNull()).isTrue();
        JsonNode line = api.get("/api/organizations/" + naira + "/billing").as(owner).send().expect(200).json()
                .path("lines").valueStream().filter(a -> a.path("agentId").asString().equals(id)).findFirst()
                .orElseThrow();
        assertThat(line.path("rate").decimalValue()).isEqualByComparingTo("30000");
        assertThat(api.post("/api/agents/" + id + "/assign-org").as(owner).json(restated).send().expect(200)
                .text("billingRateOverride")).as("a retry of the move is answered as the move").isEqualTo("30000.00");
        restated.put("monthlyBudget", "5");
        api.post("/api/agents/" + id + "/assign-org").as(owner).json(restated).send().expect(409);
    }

    /** Changing an org's currency restates its amounts, never leaves its agents' in the old one. */
    @Test
    void anOrgsCurrencyChangesOnlyWithItsAmountsRestatedAndNoneOfItsAgentsOwn() {
        String org = platform.createOrg(Map.of("name", Platform.unique("Switching"), "currency", "EUR",
                "billingRatePerAgent", "100.00", "monthlyBudget", "500.00"));
        String id = platform.createAgent(org, "Overridden");
        api.patch("/api/agents/" + id).as(owner).json(Map.of("billingRateOverride", "50.00")).send().expect(200);
        String path = "/api/organizations/" + org;

        Api.Response noRate = api.patch(path).as(owner).json(Map.of("currency", "NGN")).send().expect(400);
        Api.Response noBudget = api.patch(path).as(owner).json(Map.of("currency", "NGN", "billingRatePerAgent",
                "150000")).send().expect(400);
        Api.Response agentsHold = api.patch(path).as(owner).json(Map.of("currency", "NGN", "billingRatePerAgent",
                "150000", "monthlyBudget", "750000")).send().expect(409);

        assertThat(noRate.text("field")).isEqualTo("billingRatePerAgent");
        assertThat(noBudget.text("field")).isEqualTo("monthlyBudget");
        assertThat(agentsHold.text("field")).isEqualTo("currency");
        assertThat(agentsHold.text("detail")).contains("Overridden", "EUR");
        JsonNode unchanged = api.get(path).as(owner).send().expect(200).json();
        assertThat(unchanged.path("currency").asString()).isEqualTo("EUR");
        assertThat(unchanged.path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("100");

        Map<String, Object> clear = new HashMap<>();
        clear.put("billingRateOverride", null);
        api.patch("/api/agents/" + id).as(owner).json(clear).send().expect(200);
        JsonNode changed = api.patch(path).as(owner).json(Map.of("currency", "NGN", "billingRatePerAgent", "150000",
                "monthlyBudget", "750000")).send().expect(200).json();
        assertThat(changed.path("currency").asString()).isEqualTo("NGN");
        assertThat(api.patch(path).as(owner).json(Map.of("name", "Renamed", "currency", "NGN")).send().expect(200)
                .text("name")).as("the same currency sent again restates nothing").isEqualTo("Renamed");
    }

    /**
     * A move into an org and a change of its currency, at once: whichever comes second sees the
     * first, so an agent never holds amounts in a currency its org no longer bills in.
     */
    @Test
    void aMoveAndAChangeOfCurrencyAtOnceNeverLeaveAnAgentsAmountsInTheOldCurrency() throws Exception {
        String from = platform.createOrg(Map.of("name", Platform.unique("Source"), "currency", "EUR"));
        for (int round = 0; round < 8; round++) {
            String to = platform.createOrg(Map.of("name", Platform.unique("Target"), "currency", "EUR"));
            String id = platform.createAgent(from, "Racing " + round);
            api.patch("/api/agents/" + id).as(owner).json(Map.of("monthlyBudget", "20.00")).send().expect(200);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Future<Api.Response> move = pool.submit(() -> {
                start.await();
                return api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", to)).send();
            });
            java.util.concurrent.Future<Api.Response> change = pool.submit(() -> {
                start.await();
                return api.patch("/api/organizations/" + to).as(owner).json(Map.of("currency", "NGN",
                        "billingRatePerAgent", "1000")).send();
            });
            start.countDown();
            int moved = move.get().status();
            int changed = change.get().status();
            pool.shutdown();

            assertThat(List.of(moved, changed)).as("one of the two, whichever came second refused")
                    .containsExactlyInAnyOrder(200, 409);
            JsonNode after = agent(id).json();
            if (after.path("clientOrgId").asString().equals(to)) {
                assertThat(after.path("clientOrgCurrency").asString()).isEqualTo("EUR");
            }
        }
    }

    /**
     * An agent's own amount set while its org changes currency (outside tester: both were
     * accepted, and 10.00 answered as EUR was billed as 10.00 USD): whichever comes second sees
     * the first, so the currency an amount was answered in is the one it is billed in.
     */
    @Test
    void anAgentsAmountAndAChangeOfItsOrgsCurrencyAtOnceAgreeOnTheCurrency() throws Exception {
        for (int round = 0; round < 8; round++) {
            String org = platform.createOrg(Map.of("name", Platform.unique("Switching"), "currency", "EUR"));
            String id = platform.createAgent(org, "Racing " + round);
            String field = round % 2 == 0 ? "billingRateOverride" : "monthlyBudget";
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Future<Api.Response> amount = pool.submit(() -> {
                start.await();
                return api.patch("/api/agents/" + id).as(owner).json(Map.of(field, "10.00")).send();
            });
            java.util.concurrent.Future<Api.Response> change = pool.submit(() -> {
                start.await();
                return api.patch("/api/organizations/" + org).as(owner).json(Map.of("currency", "USD",
                        "billingRatePerAgent", "33.33")).send();
            });
            start.countDown();
            Api.Response set = amount.get();
            int changed = change.get().status();
            pool.shutdown();

            assertThat(set.status()).isEqualTo(200);
            assertThat(changed).isIn(200, 409);
            String billedIn = api.get("/api/organizations/" + org).as(owner).send().expect(200).text("currency");
            assertThat(billedIn).isEqualTo(changed == 200 ? "USD" : "EUR");
            assertThat(set.text("clientOrgCurrency")).as("round " + round).isEqualTo(billedIn);
            assertThat(agent(id).text(field)).isEqualTo("10.00");
        }
    }

    @Test
    void assignmentMovesTheAgentIdempotentlyAndKeepsAHistory() {
        String a = platform.createOrg("From");
        String b = platform.createOrg("To");
        String id = platform.createAgent(a, "Mover");

        api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", b)).send().expect(200);
        api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", b)).send().expect(200);
        api.post("/api/agents/" + id + "/unassign-org").as(owner).send().expect(200);
        api.post("/api/agents/" + id + "/unassign-org").as(owner).send().expect(200);

        assertThat(agent(id).text("clientOrgId")).isEqualTo(DefaultOrg.ID.toString());
        List<JsonNode> history = api.get("/api/agents/" + id + "/assignments").as(owner).send().expect(200).items();
        assertThat(history).hasSize(3);
        assertThat(history).extracting(h -> h.path("kind").asString()).containsExactly("moved", "moved", "created");
        assertThat(history.get(0).path("fromOrgId").asString()).isEqualTo(b);
        assertThat(history.get(0).path("toOrgId").asString()).isEqualTo(DefaultOrg.ID.toString());
        assertThat(history.get(1).path("fromOrgId").asString()).isEqualTo(a);
        assertThat(history.get(1).path("toOrgId").asString()).isEqualTo(b);
        assertThat(history.get(2).path("fromOrgId").isNull()).isTrue();
        assertThat(history.get(2).path("toOrgId").asString()).isEqualTo(a);
        assertThat(history).allSatisfy(h -> {
            assertThat(h.path("actorLabel").asString()).isEqualTo(Platform.OWNER_EMAIL);
            assertThat(h.path("assignedAt").asString()).isNotEmpty();
        });
    }

    @Test
    void concurrentMovesOfOneAgentAreRecordedInTheOrderTheyHappened() throws Exception {
        List<String> orgs = new java.util.ArrayList<>(List.of(DefaultOrg.ID.toString()));
        for (int i = 0; i < 6; i++) {
            orgs.add(0, platform.createOrg("Race " + i));
        }
        for (int trial = 0; trial < 8; trial++) {
            String id = platform.createAgent(orgs.get(0), "Racer " + trial);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            List<java.util.concurrent.Future<Api.Response>> moves = new java.util.ArrayList<>();
            for (String to : orgs.subList(1, 7)) {
                moves.add(pool.submit(() -> api.post("/api/agents/" + id + "/assign-org").as(owner)
                        .json(Map.of("orgId", to)).send()));
            }
            for (java.util.concurrent.Future<Api.Response> move : moves) {
                move.get().expect(200);
            }
            pool.shutdown();
            List<JsonNode> history = new java.util.ArrayList<>(api.get("/api/agents/" + id + "/assignments")
                    .as(owner).send().expect(200).items());
            java.util.Collections.reverse(history);
            assertThat(history).hasSize(7);
            for (int i = 1; i < history.size(); i++) {
                JsonNode earlier = history.get(i - 1);
                JsonNode later = history.get(i);
                assertThat(java.time.Instant.parse(later.path("assignedAt").asString()))
                        .as("trial %d: %s after %s", trial, later, earlier)
                        .isAfter(java.time.Instant.parse(earlier.path("assignedAt").asString()));
                assertThat(later.path("fromOrgId").asString()).as("trial %d: each move starts where the one "
                        + "before ended", trial).isEqualTo(earlier.path("toOrgId").asString());
            }
            assertThat(history.get(6).path("toOrgId").asString()).isEqualTo(agent(id).text("clientOrgId"));
        }
    }

    @Test
    void eachOrgSeesTheMoveWithoutTheOtherOrgsId() {
        String a = platform.createOrg("Left");
        String b = platform.createOrg("Joined");
        String id = platform.createAgent(a, "Traveller");
        api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", b)).send().expect(200);
        String userOfB = platform.createUser("user", b, List.of("agents", "audit"));

        Api.Response history = api.get("/api/agents/" + id + "/assignments").as(userOfB).send().expect(200);
        Api.Response audit = api.get("/api/audit?limit=500").as(userOfB).send().expect(200);

        assertThat(history.itemIds()).hasSize(1);
        assertThat(history.items().get(0).path("fromOrgId").isNull()).isTrue();
        assertThat(history.items().get(0).path("otherOrg").asBoolean()).isTrue();
        assertThat(history.body()).doesNotContain(a);
        assertThat(audit.body()).doesNotContain(a);
    }

    @Test
    void assigningNeedsAKnownOrgAndAKnownAgent() {
        String id = platform.createAgent(platform.createOrg("Stay"), "Stayer");
        String before = agent(id).text("clientOrgId");

        api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", UUID.randomUUID())).send()
                .expect(404);
        api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of()).send().expect(400);
        api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", "nope")).send().expect(400);
        Api.Response number = api.post("/api/agents/" + id + "/assign-org").as(owner).json(Map.of("orgId", 12))
                .send().expect(400);
        assertThat(number.text("field")).isEqualTo("orgId");
        assertThat(number.text("detail")).isEqualTo("orgId must be an organization's id.");
        api.post("/api/agents/" + UUID.randomUUID() + "/assign-org").as(owner)
                .json(Map.of("orgId", DefaultOrg.ID)).send().expect(404);

        assertThat(agent(id).text("clientOrgId")).isEqualTo(before);
        assertThat(api.get("/api/agents/" + id + "/assignments").as(owner).send().items()).hasSize(1);
    }

    @Test
    void badAgentInputIsRefusedAndChangesNothing() {
        String org = platform.createOrg("Strict");
        String email = Platform.unique("taken").replace(" ", "") + "@agents.io";
        api.post("/api/agents").as(owner).org(org).json(Map.of("name", "First", "email", email)).send().expect(201);
        String id = platform.createAgent(org, "Unchanged");

        record Bad(Map<String, Object> body, String field, int status) {
        }
        for (Bad bad : List.of(new Bad(Map.of(), "name", 400), new Bad(Map.of("name", ""), "name", 400),
                new Bad(Map.of("name", "n".repeat(100_000)), "name", 400),
                new Bad(Map.of("name", "x", "status", "running"), "status", 400),
                new Bad(Map.of("name", "x", "billingRateOverride", -3), "billingRateOverride", 400),
                new Bad(Map.of("name", "x", "email", "nope"), "email", 400),
                new Bad(Map.of("name", "x", "email", email), "email", 409))) {
            Api.Response response = api.post("/api/agents").as(owner).org(org).json(bad.body()).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(bad.status());
            assertThat(response.text("field")).as(response.toString()).isEqualTo(bad.field());
        }
        api.patch("/api/agents/" + id).as(owner).json(Map.of("clientOrgId", DefaultOrg.ID)).send().expect(400);
        api.patch("/api/agents/" + id).as(owner).json(Map.of("name", "Renamed", "status", "gone")).send().expect(400);
        api.patch("/api/agents/" + id).as(owner).json(Map.of("name", "Renamed", "email", email)).send().expect(409);

        assertThat(api.get("/api/agents?limit=500").as(owner).org(org).send().items()).hasSize(2);
        Api.Response after = agent(id);
        assertThat(after.text("name")).startsWith("Unchanged");
        assertThat(after.text("clientOrgId")).isEqualTo(org);
    }

    @Test
    void aKeyIsShownOnceOpensTheAgentApiOnlyAndStopsWhenRevoked() {
        String org = platform.createOrg("Keyed");
        String id = platform.createAgent(org, "Keyholder");

        Api.Response issued = api.post("/api/agents/" + id + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        Api.Response listed = api.get("/api/agents/" + id + "/keys").as(owner).send().expect(200);
        Api.Response me = api.get("/agent/v1/me").as(key).send().expect(200);
        Api.Response onApi = api.get("/api/agents").as(key).send().expect(403);

        assertThat(key).startsWith("tnt_ak_");
        assertThat(listed.body()).doesNotContain(key).contains(issued.text("prefix"));
        assertThat(me.id()).isEqualTo(id);
        assertThat(me.json().path("org").path("id").asString()).isEqualTo(org);
        assertThat(onApi.text("detail")).contains("/agent/v1 only");

        api.delete("/api/agents/" + id + "/keys/" + issued.id()).as(owner).send().expect(204);
        api.get("/agent/v1/me").as(key).send().expect(401);
        api.delete("/api/agents/" + id + "/keys/" + UUID.randomUUID()).as(owner).send().expect(404);
        api.get("/agent/v1/me").as("tnt_ak_forged").send().expect(401);
        assertThat(api.get("/api/agents/" + id + "/keys").as(owner).send().items().get(0).path("revokedAt")
                .asString()).isNotEmpty();
    }

    /**
     * Keys that work are listed first, however many were revoked since: one that works must
     * never fall out of sight of whoever looks for it to revoke it. The rest page by cursor.
     */
    @Test
    void aKeyThatWorksIsListedFirstHoweverManyWereRevokedAfterIt() {
        String id = platform.createAgent(platform.createOrg("Many keys"), "Key churner");
        String working = api.post("/api/agents/" + id + "/keys").as(owner).send().expect(201).id();
        for (int i = 0; i < 105; i++) {
            String revoked = api.post("/api/agents/" + id + "/keys").as(owner).send().expect(201).id();
            api.delete("/api/agents/" + id + "/keys/" + revoked).as(owner).send().expect(204);
        }
        String newest = api.post("/api/agents/" + id + "/keys").as(owner).send().expect(201).id();

        Api.Response first = api.get("/api/agents/" + id + "/keys?limit=100").as(owner).send().expect(200);
        assertThat(first.items()).hasSize(100);
        assertThat(first.items().subList(0, 2)).extracting(k -> k.path("id").asString())
                .as("the keys that work, newest first").containsExactly(newest, working);
        assertThat(first.items().subList(2, 100)).allSatisfy(k -> assertThat(k.path("revokedAt").isNull()).isFalse());

        java.util.Set<String> seen = new java.util.HashSet<>();
        first.items().forEach(k -> seen.add(k.path("id").asString()));
        String cursor = first.text("nextCursor");
        assertThat(cursor).isNotNull();
        Api.Response rest = api.get("/api/agents/" + id + "/keys?limit=100&cursor=" + cursor).as(owner).send()
                .expect(200);
        rest.items().forEach(k -> seen.add(k.path("id").asString()));
        assertThat(rest.json().path("nextCursor").isNull()).isTrue();
        assertThat(seen).as("every key once, across the pages").hasSize(107);
        api.get("/api/agents/" + id + "/keys?limit=0").as(owner).send().expect(400);
        api.get("/api/agents/" + id + "/keys?cursor=bm90LWEta2V5").as(owner).send().expect(400);
    }

    @Test
    void pausedAgentsAndAgentsOfInactiveOrgsStopOperatingAndComeBackWithTheirOwnStatus() {
        String org = platform.createOrg("Seasonal");
        String working = platform.createAgent(org, "Working");
        String resting = platform.createAgent(org, "Resting");
        String workingKey = platform.issueKey(working);
        String restingKey = platform.issueKey(resting);
        api.post("/api/agents/" + resting + "/pause").as(owner).json(Map.of("reason", "Resting for the test")).send().expect(200);

        assertThat(api.get("/agent/v1/me").as(restingKey).send().expect(403).text("detail")).contains("paused");
        api.get("/agent/v1/me").as(workingKey).send().expect(200);

        api.post("/api/organizations/" + org + "/toggle").as(owner).send().expect(200);
        assertThat(api.get("/agent/v1/me").as(workingKey).send().expect(403).text("detail")).contains("inactive");
        assertThat(agent(working).text("effectiveStatus")).isEqualTo("org_inactive");
        assertThat(agent(working).text("status")).isEqualTo("active");

        api.post("/api/organizations/" + org + "/toggle").as(owner).send().expect(200);
        assertThat(agent(working).text("effectiveStatus")).isEqualTo("active");
        assertThat(agent(resting).text("effectiveStatus")).isEqualTo("paused");
        api.get("/agent/v1/me").as(workingKey).send().expect(200);
        api.get("/agent/v1/me").as(restingKey).send().expect(403);
    }

    @Test
    void deletingAnAgentRevokesItsKeysAndEndsItsHistoryWithARemoval() {
        String org = platform.createOrg("Gone");
        String id = platform.createAgent(org, "Short-lived");
        String key = platform.issueKey(id);

        api.delete("/api/agents/" + id).as(owner).send().expect(204);

        api.get("/agent/v1/me").as(key).send().expect(401);
        api.get("/api/agents/" + id).as(owner).send().expect(404);
        assertThat(api.get("/api/audit?action=agent.deleted&limit=500").as(owner).send().body()).contains(id);
        List<String> kinds = transactions.read(OrgScope.of(UUID.fromString(org)), () -> jdbc.sql(
                "select kind from agent_assignments where agent_id = :id order by assigned_at")
                .param("id", UUID.fromString(id)).query(String.class).list());
        assertThat(kinds).as("billing keeps the history, ended by the removal").containsExactly("created", "removed");
    }

    @Test
    void listsFilterByNameAndPage() {
        String org = platform.createOrg("Crowded");
        for (String name : List.of("alpha", "beta", "gamma")) {
            api.post("/api/agents").as(owner).org(org).json(Map.of("name", name)).send().expect(201);
        }
        Api.Response page = api.get("/api/agents?limit=2").as(owner).org(org).send().expect(200);
        Api.Response rest = api.get("/api/agents?limit=2&cursor=" + page.text("nextCursor")).as(owner).org(org)
                .send().expect(200);

        assertThat(page.items().stream().map(a -> a.path("name").asString())).containsExactly("alpha", "beta");
        assertThat(rest.items().stream().map(a -> a.path("name").asString())).containsExactly("gamma");
        assertThat(api.get("/api/agents?q=AMM").as(owner).org(org).send().items()).hasSize(1);
    }
}
