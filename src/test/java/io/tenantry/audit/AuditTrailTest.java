package io.tenantry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;
import tools.jackson.databind.JsonNode;

/** Every write is recorded: who, when, which org, what, before and after. */
@TenantryTest
class AuditTrailTest extends ServerTest {

    List<JsonNode> trailOf(String orgId) {
        return api.get("/api/audit?limit=500").as(owner).org(orgId).send().expect(200).items();
    }

    JsonNode event(List<JsonNode> trail, String action) {
        return trail.stream().filter(e -> e.path("action").asString().equals(action)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + action + " in " + trail));
    }

    @Test
    void aClientOfTheDefaultOrgNeverSeesTheInstallationsOwnEvents() {
        String clientToken = platform.createUser("user", DefaultOrg.ID.toString(), List.of("audit", "agents"));
        // Something of the default org's own that this client may read, whichever test ran before.
        platform.createAgent(DefaultOrg.ID.toString(), "Operator's own agent");
        String adminEmail = "platform-admin-" + Platform.unique("a").replace(" ", "") + "@tenantry.test";
        api.post("/api/users").as(owner).json(Map.of("email", adminEmail, "name", "Staff", "password",
                Platform.PASSWORD, "role", "admin")).send().expect(201);
        Platform.login(api, adminEmail, Platform.PASSWORD);
        String typedPassword = "my-secret-password-" + System.nanoTime();
        api.post("/api/auth/login").json(Map.of("email", typedPassword, "password", "x")).send().expect(401);
        api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "GBP", "rate", "0.8", "effectiveFrom",
                "2098-01")).send().expect(200);

        Api.Response seenByClient = api.get("/api/audit?limit=500").as(clientToken).send().expect(200);
        List<JsonNode> seenByOwner = api.get("/api/audit?limit=500").as(owner).org(DefaultOrg.ID).send().expect(200)
                .items();

        assertThat(seenByClient.body()).doesNotContain(adminEmail).doesNotContain(typedPassword)
                .doesNotContain("fx_rate.set");
        assertThat(seenByClient.items()).isNotEmpty().allSatisfy(e -> assertThat(e.path("platform").asBoolean())
                .isFalse());
        assertThat(seenByOwner).filteredOn(e -> e.path("platform").asBoolean())
                .extracting(e -> e.path("action").asString()).contains("user.created", "auth.login",
                        "auth.login_failed", "fx_rate.set");
        assertThat(seenByOwner.toString()).contains(adminEmail).contains(typedPassword);
    }

    @Test
    void everyWriteOfAnOrgLandsInItsTrailWithBeforeAndAfter() {
        Instant start = Instant.now();
        String org = platform.createOrg("Audited");
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("billingRatePerAgent", 20)).send().expect(200);
        api.post("/api/organizations/" + org + "/toggle").as(owner).send().expect(200);
        api.post("/api/organizations/" + org + "/toggle").as(owner).send().expect(200);
        String agent = platform.createAgent(org, "Audited agent");
        api.post("/api/agents/" + agent + "/pause").as(owner).json(Map.of("reason", "Resting for the test")).send().expect(200);
        Api.Response key = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        api.delete("/api/agents/" + agent + "/keys/" + key.id()).as(owner).send().expect(204);
        String user = platform.userId(platform.createUser("user", org, List.of("agents")));
        api.put("/api/users/" + user + "/permissions").as(owner)
                .json(Map.of("pages", List.of("agents", "audit"), "clientOrgId", org)).send().expect(200);

        List<JsonNode> trail = trailOf(org);

        assertThat(trail).extracting(e -> e.path("action").asString()).contains("organization.created",
                "organization.updated", "organization.deactivated", "organization.activated", "agent.created",
                "agent.paused", "agent_key.issued", "agent_key.revoked", "user.created", "user.permissions_changed",
                "auth.login");
        JsonNode rateChange = event(trail, "organization.updated");
        assertThat(rateChange.path("before").path("billingRatePerAgent").asString()).isEqualTo("0.00");
        assertThat(rateChange.path("after").path("billingRatePerAgent").asString()).isEqualTo("20.00");
        assertThat(rateChange.path("actorLabel").asString()).isEqualTo(Platform.OWNER_EMAIL);
        assertThat(rateChange.path("actorType").asString()).isEqualTo("user");
        assertThat(rateChange.path("requestId").asString()).isNotBlank();
        assertThat(Instant.parse(rateChange.path("occurredAt").asString())).isAfterOrEqualTo(start.minusSeconds(1));
        assertThat(event(trail, "agent.paused").path("after").path("state").path("status").asString())
                .isEqualTo("paused");
        assertThat(event(trail, "agent_key.issued").toString()).doesNotContain(key.text("key"));
        assertThat(trail).allSatisfy(e -> assertThat(e.path("orgId").asString()).isEqualTo(org));
    }

    /**
     * Changes of one agent, or one org, sent at once queue on its row: the logs list them in
     * the order they took effect, each starting where the one before it ended, the newest
     * entry the state it is in, whenever each was asked for.
     */
    @Test
    void changesOfOneThingAtOnceAreLoggedInTheOrderTheyTookEffect() throws Exception {
        String org = platform.createOrg("Ordered");
        String agent = platform.createAgent(org, "Flapping");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<java.util.concurrent.Future<Api.Response>> changes = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String change = i % 2 == 0 ? "pause" : "resume";
                int n = i;
                changes.add(pool.submit(() -> api.post("/api/agents/" + agent + "/" + change).as(owner)
                        .json(Map.of("reason", "r" + n)).send()));
                changes.add(pool.submit(() -> api.post("/api/organizations/" + org + "/toggle").as(owner).send()));
            }
            for (java.util.concurrent.Future<Api.Response> change : changes) {
                assertThat(change.get().status()).isIn(200, 409);
            }
        } finally {
            pool.shutdown();
        }

        List<JsonNode> trail = new java.util.ArrayList<>(trailOf(org));
        java.util.Collections.reverse(trail);
        List<String> agentChanges = trail.stream().filter(e -> agent.equals(e.path("targetId").asString()))
                .map(e -> e.path("action").asString()).filter(a -> a.equals("agent.paused")
                        || a.equals("agent.resumed")).toList();
        List<String> orgChanges = trail.stream().map(e -> e.path("action").asString())
                .filter(a -> a.equals("organization.activated") || a.equals("organization.deactivated")).toList();
        List<String> interventions = new java.util.ArrayList<>(api.get("/api/interventions?limit=500&agentId="
                + agent).as(owner).org(org).send().expect(200).items().stream().map(i -> i.path("action").asString())
                .toList());
        java.util.Collections.reverse(interventions);
        String status = api.get("/api/agents/" + agent).as(owner).send().expect(200).text("status");
        boolean active = api.get("/api/organizations/" + org).as(owner).send().expect(200).json().path("active")
                .asBoolean();

        assertThat(agentChanges).isNotEmpty();
        for (int i = 0; i < agentChanges.size(); i++) {
            assertThat(agentChanges.get(i)).as("agent change %d of %s", i, agentChanges)
                    .isEqualTo(i % 2 == 0 ? "agent.paused" : "agent.resumed");
            assertThat(interventions.get(i)).as("intervention %d of %s", i, interventions)
                    .isEqualTo(i % 2 == 0 ? "pause" : "resume");
        }
        assertThat(interventions).hasSameSizeAs(agentChanges);
        assertThat(status).isEqualTo(agentChanges.size() % 2 == 1 ? "paused" : "active");
        assertThat(orgChanges).hasSize(30);
        for (int i = 0; i < orgChanges.size(); i++) {
            assertThat(orgChanges.get(i)).as("org change %d of %s", i, orgChanges)
                    .isEqualTo(i % 2 == 0 ? "organization.deactivated" : "organization.activated");
        }
        assertThat(active).isTrue();
    }

    @Test
    void aMoveIsRecordedInBothOrgs() {
        String from = platform.createOrg("Audit from");
        String to = platform.createOrg("Audit to");
        String agent = platform.createAgent(from, "Audit mover");

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to)).send().expect(200);

        assertThat(event(trailOf(from), "agent.unassigned").path("targetId").asString()).isEqualTo(agent);
        assertThat(event(trailOf(to), "agent.assigned").path("after").path("clientOrgId").asString()).isEqualTo(to);
    }

    @Test
    void theTrailNamesTheOrgAndTheTargetButNotAcrossOrgs() {
        String from = platform.createOrg("Named from");
        String to = platform.createOrg("Named to");
        String agent = platform.createAgent(from, "Named mover");
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to)).send().expect(200);

        JsonNode assigned = event(trailOf(to), "agent.assigned");
        assertThat(assigned.path("orgName").asString()).startsWith("Named to");
        assertThat(assigned.path("targetName").asString()).startsWith("Named mover");
        // Read by a user of the org the agent left: the agent is another org's now, so it is not named.
        String leftBehind = platform.createUser("user", from, List.of("audit", "agents"));
        JsonNode unassigned = null;
        for (JsonNode e : api.get("/api/audit?limit=500").as(leftBehind).send().expect(200).items()) {
            if (e.path("action").asString().equals("agent.unassigned")) {
                unassigned = e;
            }
        }
        assertThat(unassigned.path("orgName").asString()).startsWith("Named from");
        assertThat(unassigned.path("targetId").asString()).isEqualTo(agent);
        assertThat(unassigned.path("targetName").isNull()).isTrue();
        assertThat(unassigned.toString()).doesNotContain("Named to");
    }

    /**
     * A change to a user named the user by id alone. It is named where its reader may list
     * that user: in the org the user is bound to now (and for owners and admins, everywhere).
     */
    @Test
    void aUserTargetIsNamedWhereItsReaderMayListThatUser() {
        String org = platform.createOrg("Users named");
        String elsewhere = platform.createOrg("Users named elsewhere");
        String email = "named-" + java.util.UUID.randomUUID() + "@tenantry.test";
        String id = api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Named Person", "password",
                Platform.PASSWORD, "role", "user", "pages", List.of("agents"), "clientOrgId", org)).send().expect(201)
                .id();
        String reader = platform.createUser("user", org, List.of("audit", "users"));

        assertThat(userCreated(trailOf(org), id).path("targetName").asString()).isEqualTo("Named Person");
        assertThat(userCreated(api.get("/api/audit?limit=500").as(reader).send().expect(200).items(), id)
                .path("targetName").asString()).as("a user of the same org lists that user").isEqualTo("Named Person");

        api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("role", "user", "pages", List.of("agents"),
                "clientOrgId", elsewhere)).send().expect(200);
        assertThat(userCreated(api.get("/api/audit?limit=500").as(reader).send().expect(200).items(), id)
                .path("targetName").isNull()).as("bound to another org now, so not named here").isTrue();
        assertThat(userCreated(trailOf(org), id).path("targetName").asString()).as("owners see every user")
                .isEqualTo("Named Person");
    }

    /**
     * Outside tester: events of credentials, documents, memory entries and agent keys named
     * their target by id alone. They are named while the target is in the reader's scope.
     */
    @Test
    void credentialsDocumentsMemoryEntriesAndKeysAreNamedWhileTheyAreInScope() {
        String org = platform.createOrg("Targets named");
        String other = platform.createOrg("Targets named other");
        String agent = platform.createAgent(org, "Named keeper");
        String credential = api.post("/api/credentials").org(org).as(owner).json(Map.of("name", "NAMED_SECRET",
                "kind", "api_key", "value", "named-secret-value-1234")).send().expect(201).id();
        String document = api.post("/api/knowledge/documents").org(org).as(owner).json(Map.of("title",
                "Named handbook", "content", "How we work.")).send().expect(201).id();
        String entry = api.post("/api/agents/" + agent + "/memory").as(owner).json(Map.of("title", "Named memory",
                "content", "Likes tea.", "category", "preference")).send().expect(201).id();
        String key = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).id();

        List<JsonNode> trail = trailOf(org);
        assertThat(event(trail, "credential.created").path("targetName").asString()).isEqualTo("NAMED_SECRET");
        assertThat(event(trail, "knowledge.document.created").path("targetName").asString())
                .isEqualTo("Named handbook");
        assertThat(event(trail, "memory.entry.created").path("targetName").asString()).isEqualTo("Named memory");
        JsonNode issued = event(trail, "agent_key.issued");
        assertThat(issued.path("targetId").asString()).isEqualTo(key);
        assertThat(issued.path("targetName").asString()).startsWith("Named keeper").contains(" (tnt_ak_")
                .endsWith("…)");
        String reader = platform.createUser("user", org, List.of("audit", "vault", "knowledge", "memory", "agents"));
        assertThat(api.get("/api/audit?limit=500").as(reader).send().expect(200).items()).filteredOn(e -> List.of(
                credential, document, entry, key).contains(e.path("targetId").asString()))
                .hasSize(4).allSatisfy(e -> assertThat(e.path("targetName").isNull()).isFalse());

        // Moved with its agent (and the agent's memory kept), the key and the entry are another org's:
        // the events left behind no longer name them.
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", other, "memory", "keep"))
                .send().expect(200);
        trail = trailOf(org);
        assertThat(event(trail, "agent_key.issued").path("targetName").isNull()).isTrue();
        assertThat(event(trail, "memory.entry.created").path("targetName").isNull()).isTrue();
        assertThat(trail.toString()).doesNotContain("(tnt_ak_");
        api.delete("/api/credentials/" + credential).as(owner).send().expect(204);
        assertThat(event(trailOf(org), "credential.created").path("targetName").isNull()).isTrue();
    }

    private JsonNode userCreated(List<JsonNode> trail, String userId) {
        return trail.stream().filter(e -> e.path("action").asString().equals("user.created")
                && e.path("targetId").asString().equals(userId)).findFirst()
                .orElseThrow(() -> new AssertionError("no user.created of " + userId + " in " + trail));
    }

    /**
     * The log gathers every page's changes: a user given Audit read credentials, rules, users
     * and rates whatever their other pages. Each event shows only with the page its data
     * belongs to, and amounts only with Billing.
     */
    @Test
    void aReaderSeesTheEventsOfTheirPagesAndAmountsOnlyWithBilling() {
        String org = platform.createOrg(Map.of("name", Platform.unique("Read by pages")));
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("billingRatePerAgent", "111.11",
                "monthlyBudget", "5555.55")).send().expect(200);
        String agent = platform.createAgent(org, "Paged");
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("billingRateOverride", "333.33",
                "monthlyBudget", "999.99")).send().expect(200);
        api.post("/api/credentials").org(org).as(owner).json(Map.of("name", "PAGED_KEY", "kind", "api_key",
                "value", "sk-paged-value-1234")).send().expect(201);
        api.post("/api/guardrails/rules").org(org).as(owner).json(Map.of("name", "Paged rule", "type", "keyword",
                "action", "block", "keywords", List.of("pagedword"))).send().expect(201);
        String auditOnly = platform.createUser("user", org, List.of("audit"));
        String agentsAndOrgs = platform.createUser("user", org, List.of("audit", "agents", "organizations"));
        String withBilling = platform.createUser("user", org, List.of("audit", "agents", "organizations",
                "billing"));

        assertThat(api.get("/api/audit?limit=500").as(auditOnly).send().expect(200).items()).isEmpty();

        Api.Response seen = api.get("/api/audit?limit=500").as(agentsAndOrgs).send().expect(200);
        assertThat(seen.items()).extracting(e -> e.path("action").asString().split("\\.")[0]).isNotEmpty()
                .allMatch(family -> family.equals("agent") || family.equals("organization"));
        assertThat(seen.body()).doesNotContain("PAGED_KEY").doesNotContain("pagedword").doesNotContain("111.11")
                .doesNotContain("5555.55").doesNotContain("333.33").doesNotContain("999.99");
        JsonNode orgChange = event(seen.items(), "organization.updated");
        assertThat(orgChange.path("after").has("billingRatePerAgent")).isTrue();
        assertThat(orgChange.path("after").path("billingRatePerAgent").isNull()).isTrue();
        assertThat(event(seen.items(), "agent.updated").path("after").path("monthlyBudget").isNull()).isTrue();
        assertThat(api.get("/api/audit?limit=500&action=credential.created").as(agentsAndOrgs).send().expect(200)
                .items()).as("an action filter does not widen the pages").isEmpty();

        List<JsonNode> billed = api.get("/api/audit?limit=500").as(withBilling).send().expect(200).items();
        assertThat(event(billed, "organization.updated").path("after").path("billingRatePerAgent").decimalValue())
                .isEqualByComparingTo("111.11");
        assertThat(event(billed, "agent.updated").path("after").path("billingRateOverride").decimalValue())
                .isEqualByComparingTo("333.33");
        assertThat(trailOf(org)).extracting(e -> e.path("action").asString()).as("operators read it all")
                .contains("credential.created", "guardrail_rule.created", "user.created");
    }

    @Test
    void failedLoginsAreRecordedInTheOrgOfTheAccount() {
        String org = platform.createOrg("Guarded");
        String email = Platform.unique("guarded").replace(" ", "") + "@tenantry.test";
        api.post("/api/users").as(owner).json(Map.of("email", email, "name", "G", "password", Platform.PASSWORD,
                "clientOrgId", org)).send().expect(201);

        api.post("/api/auth/login").json(Map.of("email", email, "password", "not the password")).send().expect(401);

        JsonNode failure = event(trailOf(org), "auth.login_failed");
        assertThat(failure.path("actorType").asString()).isEqualTo("anonymous");
        assertThat(failure.path("actorLabel").asString()).isEqualTo(email);
    }

    @Test
    void theTrailFiltersByActionAndTimeAndRefusesBadFilters() {
        String org = platform.createOrg("Filtered");
        platform.createAgent(org, "Filtered agent");

        List<JsonNode> created = api.get("/api/audit?action=agent.created").as(owner).org(org).send().expect(200)
                .items();
        List<JsonNode> future = api.get("/api/audit?from=" + Instant.now().plusSeconds(3600)).as(owner).org(org)
                .send().expect(200).items();

        assertThat(created).hasSize(1);
        assertThat(future).isEmpty();
        assertThat(api.get("/api/audit?action=&from=&to=").as(owner).org(org).send().expect(200).items())
                .as("blank filters filter nothing").hasSizeGreaterThanOrEqualTo(2);
        assertThat(api.get("/api/audit?from=yesterday").as(owner).send().expect(400).text("field")).isEqualTo("from");
        api.get("/api/audit?action=" + "a".repeat(65)).as(owner).send().expect(400);
        assertThat(api.get("/api/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z").as(owner).send()
                .expect(400).text("detail")).as("a range the wrong way round").isEqualTo("to must be after from.");
        api.get("/api/interventions?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z").as(owner).send().expect(400);
        for (String notAnAction : List.of("%20", "%0a", "agent.created%20", "Agent.Created", "agent..created")) {
            assertThat(api.get("/api/audit?action=" + notAnAction).as(owner).send().expect(400).text("field"))
                    .as(notAnAction).isEqualTo("action");
        }
    }

    @Test
    void theTrailPagesNewestFirst() {
        String org = platform.createOrg("Long history");
        for (int i = 0; i < 4; i++) {
            api.patch("/api/organizations/" + org).as(owner).json(Map.of("description", "v" + i)).send().expect(200);
        }
        Api.Response first = api.get("/api/audit?limit=2").as(owner).org(org).send().expect(200);
        Api.Response second = api.get("/api/audit?limit=2&cursor=" + first.text("nextCursor")).as(owner).org(org)
                .send().expect(200);

        assertThat(first.items().get(0).path("after").path("description").asString()).isEqualTo("v3");
        assertThat(first.items().get(1).path("after").path("description").asString()).isEqualTo("v2");
        assertThat(second.items().get(0).path("after").path("description").asString()).isEqualTo("v1");
    }
}
