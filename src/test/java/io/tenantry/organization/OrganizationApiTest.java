package io.tenantry.organization;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.DefaultOrg;

@TenantryTest
class OrganizationApiTest extends ServerTest {

    Api.Response create(Map<String, ?> body) {
        return api.post("/api/organizations").as(owner).json(body).send();
    }

    /**
     * Outside tester: in org A's context an admin listed, read, changed, deactivated and could
     * delete org B, and read its bill, while every other endpoint answers 404 there. In a
     * context, organizations and their bills are found in it.
     */
    @Test
    void inAnOrgsContextOtherOrganizationsAreNotFound() {
        String a = create(Map.of("name", Platform.unique("Context A"))).expect(201).id();
        String b = create(Map.of("name", Platform.unique("Context B"))).expect(201).id();
        String month = YearMonth.now(ZoneOffset.UTC).toString();

        assertThat(api.get("/api/organizations?limit=500").as(owner).org(a).send().expect(200).itemIds())
                .containsExactly(a);
        for (Api.Response refused : List.of(api.get("/api/organizations/" + b).as(owner).org(a).send(),
                api.patch("/api/organizations/" + b).as(owner).org(a).json(Map.of("name", "Taken over")).send(),
                api.post("/api/organizations/" + b + "/toggle").as(owner).org(a).send(),
                api.get("/api/organizations/" + b + "/deletion-check").as(owner).org(a).send(),
                api.delete("/api/organizations/" + b).as(owner).org(a).send(),
                api.get("/api/organizations/" + b + "/billing-summary").as(owner).org(a).send(),
                api.get("/api/organizations/" + b + "/billing?month=" + month).as(owner).org(a).send(),
                api.get("/api/billing/month-to-date?orgIds=" + b).as(owner).org(a).send())) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(404);
        }
        JsonNode untouched = api.get("/api/organizations/" + b).as(owner).send().expect(200).json();
        assertThat(untouched.path("active").asBoolean()).isTrue();
        assertThat(untouched.path("name").asString()).startsWith("Context B");
        assertThat(api.get("/api/billing/overview?month=" + month).as(owner).org(a).send().expect(200).json()
                .path("items")).extracting(item -> item.path("orgId").asString()).containsExactly(a);
        // Retest: what acts on every organization at once is refused in one's context, changing nothing.
        Api.Response close = api.post("/api/billing/close").as(owner).org(a).json(Map.of("month",
                YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString())).send();
        Api.Response rerate = api.post("/api/billing/rerate").as(owner).org(a).json(Map.of("model", "gpt-4o",
                "from", "2001-01-01T00:00:00Z", "to", "2002-01-01T00:00:00Z")).send();
        for (Api.Response refused : List.of(close, rerate)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.text("field")).isEqualTo("orgId");
        }
        // Retest: the home page's figures covered every organization in A's context.
        JsonNode glance = api.get("/api/dashboard").as(owner).org(a).send().expect(200).json();
        assertThat(glance.path("clientOrgs").asInt()).isEqualTo(1);
        assertThat(glance.path("topByCost")).extracting(org -> org.path("orgId").asString()).containsOnly(a);
        assertThat(api.get("/api/dashboard").as(owner).send().expect(200).json().path("clientOrgs").asInt())
                .isGreaterThan(1);

        api.patch("/api/organizations/" + b).as(owner).org(b).json(Map.of("description", "Its own")).send()
                .expect(200);
        api.get("/api/organizations/" + b + "/billing?month=" + month).as(owner).org(b).send().expect(200);
    }

    @Test
    void createsWithAGeneratedSlugAndTheGuidesSnakeCaseNames() {
        String suffix = Platform.unique("").strip();
        Api.Response created = create(Map.of("name", "TechStart Inc " + suffix, "contact_name", "Tess",
                "contact_email", "Tess@TechStart.io", "billing_rate_per_agent", 75, "currency", "EUR",
                "description", "A client")).expect(201);

        assertThat(created.text("slug")).isEqualTo("techstart-inc-" + suffix);
        assertThat(created.text("contactName")).isEqualTo("Tess");
        assertThat(created.text("contactEmail")).isEqualTo("tess@techstart.io");
        assertThat(created.json().path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("75.00");
        assertThat(created.text("currency")).isEqualTo("EUR");
        assertThat(created.json().path("active").asBoolean()).isTrue();
        assertThat(created.json().path("isDefault").asBoolean()).isFalse();
        assertThat(created.json().path("agentCount").asLong()).isZero();
        assertThat(created.text("createdAt")).isNotEmpty();
    }

    @Test
    void defaultsAreAZeroRateInUsd() {
        Api.Response created = create(Map.of("name", Platform.unique("Plain"))).expect(201);

        assertThat(created.json().path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("0");
        assertThat(created.text("currency")).isEqualTo("USD");
    }

    @Test
    void aGivenSlugIsKeptAndADuplicateIsRefused() {
        String slug = "acme-" + Platform.unique("").strip();
        create(Map.of("name", "Acme", "slug", slug)).expect(201);

        Api.Response duplicate = create(Map.of("name", "Acme again", "slug", slug)).expect(409);

        assertThat(duplicate.text("field")).isEqualTo("slug");
        assertThat(duplicate.text("detail")).contains(slug).contains("taken");
        assertThat(duplicate.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void aGeneratedSlugThatIsTakenGetsANumber() {
        String name = Platform.unique("Twin Co");
        String first = create(Map.of("name", name)).expect(201).text("slug");
        String second = create(Map.of("name", name)).expect(201).text("slug");

        assertThat(second).isEqualTo(first + "-2");
    }

    /** Of 30 organizations of one name created at once, 14 got a 409: each took the slug it had found free. */
    @Test
    void organizationsOfOneNameCreatedAtOnceEachGetTheirOwnSlug() throws Exception {
        String name = Platform.unique("Crowd Co");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Api.Response>> creations = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                creations.add(pool.submit(() -> create(Map.of("name", name))));
            }
            List<String> slugs = new ArrayList<>();
            for (Future<Api.Response> creation : creations) {
                slugs.add(creation.get().expect(201).text("slug"));
            }
            assertThat(slugs).doesNotHaveDuplicates().hasSize(20);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void slugsArePermanent() {
        Api.Response org = create(Map.of("name", Platform.unique("Fixed"))).expect(201);

        Api.Response refused = api.patch("/api/organizations/" + org.id()).as(owner)
                .json(Map.of("slug", "something-else")).send().expect(400);
        api.patch("/api/organizations/" + org.id()).as(owner).json(Map.of("slug", org.text("slug"), "name", "Same"))
                .send().expect(200);

        assertThat(refused.text("detail")).contains("permanent");
        assertThat(api.get("/api/organizations/" + org.id()).as(owner).send().text("slug"))
                .isEqualTo(org.text("slug"));
    }

    @Test
    void editsNameContactDescriptionRateAndCurrency() {
        String id = create(Map.of("name", Platform.unique("Editable"))).expect(201).id();

        Api.Response edited = api.patch("/api/organizations/" + id).as(owner).json(Map.of("name", "Renamed Ltd",
                "contact_email", "ops@renamed.example", "description", "Now bigger", "billingRatePerAgent", "49.90",
                "currency", "GBP")).send().expect(200);

        assertThat(edited.text("name")).isEqualTo("Renamed Ltd");
        assertThat(edited.text("contactEmail")).isEqualTo("ops@renamed.example");
        assertThat(edited.json().path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("49.90");
        assertThat(edited.text("currency")).isEqualTo("GBP");
        Api.Response clearing = api.patch("/api/organizations/" + id).as(owner).json(new HashMap<>(Map.of()))
                .send().expect(200);
        assertThat(clearing.text("name")).isEqualTo("Renamed Ltd");
    }

    @Test
    void badInputIsRefusedWithAProblemNamingTheFieldAndChangesNothing() {
        String marker = Platform.unique("Never");
        record Bad(Map<String, Object> body, String field) {
        }
        List<Bad> cases = List.of(
                new Bad(Map.of("slug", "no-name"), "name"),
                new Bad(Map.of("name", "   "), "name"),
                new Bad(Map.of("name", "x".repeat(100_000)), "name"),
                new Bad(Map.of("name", marker, "slug", "Upper-Case"), "slug"),
                new Bad(Map.of("name", marker, "slug", "has spaces"), "slug"),
                new Bad(Map.of("name", marker, "slug", "double--hyphen"), "slug"),
                new Bad(Map.of("name", marker, "slug", "a".repeat(64)), "slug"),
                new Bad(Map.of("name", marker, "billingRatePerAgent", -1), "billingRatePerAgent"),
                new Bad(Map.of("name", marker, "billingRatePerAgent", "12.345"), "billingRatePerAgent"),
                new Bad(Map.of("name", marker, "billingRatePerAgent", "1e30"), "billingRatePerAgent"),
                new Bad(Map.of("name", marker, "billingRatePerAgent", "fifty"), "billingRatePerAgent"),
                new Bad(Map.of("name", marker, "billing_rate_per_agent", List.of(1)), "billingRatePerAgent"),
                new Bad(Map.of("name", marker, "currency", "XYZ"), "currency"),
                new Bad(Map.of("name", marker, "contactEmail", "not-an-address"), "contactEmail"),
                new Bad(Map.of("name", marker + "\u0000"), "name"));
        for (Bad bad : cases) {
            Api.Response response = create(bad.body());
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.text("field")).as(response.toString()).isEqualTo(bad.field());
            assertThat(response.text("detail")).as(response.toString()).isNotBlank();
        }
        for (String raw : List.of("{\"name\":", "not json", "[1,2]", "")) {
            Api.Response response = api.post("/api/organizations").as(owner).raw(raw).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.text("detail")).as(response.toString()).isNotBlank();
        }
        assertThat(api.get("/api/organizations?q=" + marker.replace(" ", "%20")).as(owner).send().items()).isEmpty();
    }

    @Test
    void editsAcceptTheGuidesNamesAndAnswerWithTheRealAgentCount() {
        String id = create(Map.of("name", Platform.unique("Counted"))).expect(201).id();
        platform.createAgent(id, "One");
        platform.createAgent(id, "Two");

        Api.Response edited = api.patch("/api/organizations/" + id).as(owner)
                .json(Map.of("contact_name", "Casey", "billing_rate_per_agent", 12)).send().expect(200);
        Api.Response toggled = api.post("/api/organizations/" + id + "/toggle").as(owner).send().expect(200);
        Api.Response twice = api.patch("/api/organizations/" + id).as(owner)
                .json(Map.of("contactName", "A", "contact_name", "B")).send().expect(400);

        assertThat(edited.text("contactName")).isEqualTo("Casey");
        assertThat(edited.text("billingRatePerAgent")).isEqualTo("12.00");
        assertThat(edited.json().path("agentCount").asLong()).isEqualTo(2);
        assertThat(toggled.json().path("agentCount").asLong()).isEqualTo(2);
        assertThat(twice.text("field")).isEqualTo("contactName");
    }

    @Test
    void badEditsChangeNothing() {
        Api.Response org = create(Map.of("name", Platform.unique("Stable"), "billingRatePerAgent", 10)).expect(201);
        String path = "/api/organizations/" + org.id();

        api.patch(path).as(owner).json(Map.of("name", "Changed", "billingRatePerAgent", -5)).send().expect(400);
        api.patch(path).as(owner).json(Map.of("name", "Changed", "currency", "XXX")).send().expect(400);
        api.patch(path).as(owner).json(Map.of("name", "", "description", "x")).send().expect(400);
        api.patch(path).as(owner).json(Map.of("billingRatePerAgent", "")).send().expect(400);
        api.patch(path).as(owner).json(Map.of("active", "yes")).send().expect(400);
        api.patch(path).as(owner).json(Map.of("unknownField", 1)).send().expect(400);
        api.patch(path).as(owner).raw("{oops").send().expect(400);

        Api.Response now = api.get(path).as(owner).send().expect(200);
        assertThat(now.text("name")).isEqualTo(org.text("name"));
        assertThat(now.json().path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("10");
    }

    @Test
    void unknownAndMalformedIdsAnswer404Or400() {
        api.get("/api/organizations/" + java.util.UUID.randomUUID()).as(owner).send().expect(404);
        api.patch("/api/organizations/" + java.util.UUID.randomUUID()).as(owner).json(Map.of("name", "x")).send()
                .expect(404);
        api.delete("/api/organizations/" + java.util.UUID.randomUUID()).as(owner).send().expect(404);
        api.get("/api/organizations/not-a-uuid").as(owner).send().expect(400);
    }

    @Test
    void theDefaultOrganizationAlwaysExistsAndCannotBeDeletedOrDeactivated() {
        Api.Response org = api.get("/api/organizations/" + DefaultOrg.ID).as(owner).send().expect(200);
        assertThat(org.text("slug")).isEqualTo("default");
        assertThat(org.json().path("isDefault").asBoolean()).isTrue();

        assertThat(api.delete("/api/organizations/" + DefaultOrg.ID).as(owner).send().expect(409).text("detail"))
                .contains("default organization cannot be deleted");
        api.post("/api/organizations/" + DefaultOrg.ID + "/toggle").as(owner).send().expect(409);
        api.patch("/api/organizations/" + DefaultOrg.ID).as(owner).json(Map.of("active", false)).send().expect(409);
        assertThat(api.get("/api/organizations/" + DefaultOrg.ID).as(owner).send().json().path("active").asBoolean())
                .isTrue();
    }

    @Test
    void deleteIsRefusedWhileAgentsAreAssignedAndWhileCallsBegunThereMayStillBeBilled() {
        String org = platform.createOrg("Busy");
        String agent = platform.createAgent(org, "Worker");

        // Asked first, the server says what is in the way, in the words the delete would use.
        Api.Response check = api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200);
        assertThat(check.json().path("deletable").asBoolean()).isFalse();
        assertThat(check.json().path("obstacles").get(0).path("kind").asString()).isEqualTo("agents");
        assertThat(check.json().path("obstacles").get(0).path("count").asLong()).isEqualTo(1);
        Api.Response refused = api.delete("/api/organizations/" + org).as(owner).send().expect(409);
        assertThat(refused.text("detail")).contains("unassign all agents first")
                .isEqualTo(check.json().path("obstacles").get(0).path("detail").asString());
        api.get("/api/organizations/" + org).as(owner).send().expect(200);

        // Once the agent has left, a gateway call it began here could still be billed here for
        // as long as a call may run (GatewayLongestCallTest waits that out).
        api.post("/api/agents/" + agent + "/unassign-org").as(owner).send().expect(200);
        check = api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200);
        assertThat(check.json().path("deletable").asBoolean()).isFalse();
        assertThat(check.json().path("obstacles")).hasSize(1);
        assertThat(check.json().path("obstacles").get(0).path("kind").asString()).isEqualTo("calls");
        refused = api.delete("/api/organizations/" + org).as(owner).send().expect(409);
        assertThat(refused.text("detail")).contains("It can be deleted from")
                .isEqualTo(check.json().path("obstacles").get(0).path("detail").asString());

        String empty = platform.createOrg("Never held an agent");
        check = api.get("/api/organizations/" + empty + "/deletion-check").as(owner).send().expect(200);
        assertThat(check.json().path("deletable").asBoolean()).isTrue();
        assertThat(check.json().path("obstacles")).isEmpty();
        api.delete("/api/organizations/" + empty).as(owner).send().expect(204);
        api.get("/api/organizations/" + empty).as(owner).send().expect(404);
    }

    /** Open months are computed from the orgs that exist: deleting a billed org would drop its cost. */
    @Test
    void deleteIsRefusedWhileTheOrgIsBilledInAMonthNotClosedYet() {
        String org = platform.createOrg("Billed then emptied");
        String agent = platform.createAgent(org, "Spent and left");
        api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 400_000, 0, 0,
                Instant.now()), agent)).send().expect(201);
        api.post("/api/agents/" + agent + "/unassign-org").as(owner).send().expect(200);

        Api.Response check = api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200);
        Api.Response refused = api.delete("/api/organizations/" + org).as(owner).send().expect(409);

        assertThat(check.json().path("deletable").asBoolean()).isFalse();
        assertThat(check.json().path("obstacles").get(0).path("kind").asString()).isEqualTo("billing");
        assertThat(refused.text("detail")).contains(YearMonth.now(ZoneOffset.UTC).toString()).contains("closed");
        assertThat(api.get("/api/organizations/" + org + "/billing-summary?months=1").as(owner).send().expect(200)
                .json().path("items").get(0).path("costUsd").decimalValue()).isEqualByComparingTo("1.00");
    }

    @Test
    void deleteIsRefusedWhileUsersAreBoundToIt() {
        String org = platform.createOrg("Bound");
        platform.createUser("user", org, List.of("agents"));

        assertThat(api.delete("/api/organizations/" + org).as(owner).send().expect(409).text("detail"))
                .contains("bound to this organization");
        Api.Response check = api.get("/api/organizations/" + org + "/deletion-check").as(owner).send().expect(200);
        assertThat(check.json().path("obstacles").get(0).path("kind").asString()).isEqualTo("users");
        api.get("/api/organizations/" + java.util.UUID.randomUUID() + "/deletion-check").as(owner).send().expect(404);
    }

    @Test
    void detailListsTheAgentsWithTheirEffectiveRate() {
        String org = create(Map.of("name", Platform.unique("Detailed"), "billingRatePerAgent", 50)).expect(201).id();
        String standard = platform.createAgent(org, "Standard");
        String special = platform.createAgent(org, "Special");
        api.patch("/api/agents/" + special).as(owner).json(Map.of("billingRateOverride", 80)).send().expect(200);

        Api.Response detail = api.get("/api/organizations/" + org).as(owner).send().expect(200);

        assertThat(detail.json().path("agentCount").asLong()).isEqualTo(2);
        Map<String, String> rates = new HashMap<>();
        detail.json().path("agents").forEach(a -> rates.put(a.path("id").asString(),
                a.path("effectiveBillingRate").asString()));
        assertThat(rates).containsEntry(standard, "50.00").containsEntry(special, "80.00");
    }

    @Test
    void listsPageWithACursorAndBoundTheLimit() {
        String prefix = Platform.unique("Paged");
        for (int i = 0; i < 5; i++) {
            create(Map.of("name", prefix + " " + i)).expect(201);
        }
        String q = "?q=" + prefix.replace(" ", "%20") + "&limit=2";
        Api.Response first = api.get("/api/organizations" + q).as(owner).send().expect(200);
        Api.Response second = api.get("/api/organizations" + q + "&cursor=" + first.text("nextCursor")).as(owner)
                .send().expect(200);
        Api.Response third = api.get("/api/organizations" + q + "&cursor=" + second.text("nextCursor")).as(owner)
                .send().expect(200);

        assertThat(first.items()).hasSize(2);
        assertThat(third.items()).hasSize(1);
        assertThat(third.json().path("nextCursor").isNull()).isTrue();
        assertThat(List.of(first, second, third).stream().flatMap(r -> r.items().stream())
                .map(o -> o.path("name").asString())).containsExactly(prefix + " 0", prefix + " 1", prefix + " 2",
                        prefix + " 3", prefix + " 4");
        api.get("/api/organizations?limit=0").as(owner).send().expect(400);
        api.get("/api/organizations?limit=501").as(owner).send().expect(400);
        api.get("/api/organizations?limit=abc").as(owner).send().expect(400);
        api.get("/api/organizations?cursor=%25%25").as(owner).send().expect(400);
        api.get("/api/organizations?cursor=bm9zZXBhcmF0b3I").as(owner).send().expect(400);
    }

    @Test
    void aBoundUserCannotReachAnotherOrgByHeaderParameterOrBody() {
        String mine = platform.createOrg("Mine");
        String theirs = platform.createOrg("Theirs");
        String user = platform.createUser("user", mine, Platform.ALL_PAGES);

        api.get("/api/agents").as(user).org(theirs).send().expect(403);
        api.get("/api/agents?orgId=" + theirs).as(user).send().expect(403);
        api.get("/api/organizations/" + theirs).as(user).send().expect(404);
        api.post("/api/agents").as(user).json(Map.of("name", "Sneaky", "clientOrgId", theirs)).send().expect(403);
        api.get("/api/agents").as(user).org("not-a-uuid").send().expect(400);
        api.get("/api/agents?orgId=" + mine).as(user).org(theirs).send().expect(400);
        api.get("/api/agents").as(user).org(mine).send().expect(200);
    }

    @Test
    void agentCountsStayExactUnderConcurrentCreatesMovesAndDeletes() throws Exception {
        String a = platform.createOrg("Counted A");
        String b = platform.createOrg("Counted B");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<String>> created = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String org = i % 3 == 0 ? b : a;
            created.add(pool.submit(() -> platform.createAgent(org, "Counted")));
        }
        List<String> agents = new ArrayList<>();
        for (Future<String> agent : created) {
            agents.add(agent.get());
        }
        List<Future<Api.Response>> changes = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            String agent = agents.get(i);
            int kind = i % 4;
            changes.add(pool.submit(() -> switch (kind) {
                case 0 -> api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", b)).send();
                case 1 -> api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", a)).send();
                case 2 -> api.delete("/api/agents/" + agent).as(owner).send();
                default -> api.post("/api/agents/" + agent + "/unassign-org").as(owner).send();
            }));
        }
        for (Future<Api.Response> change : changes) {
            assertThat(change.get().status()).as(change.get().toString()).isIn(200, 204);
        }
        pool.shutdown();

        for (String org : List.of(a, b, DefaultOrg.ID.toString())) {
            long listed = api.get("/api/agents?limit=500").org(org).as(owner).send().expect(200).items().size();
            assertThat(api.get("/api/organizations/" + org).as(owner).send().expect(200).json().path("agentCount")
                    .asLong()).as("agentCount of %s", org).isEqualTo(listed);
        }
        assertThat(api.get("/api/organizations?q=Counted&limit=500").as(owner).send().items().stream()
                .mapToLong(o -> o.path("agentCount").asLong()).sum()).as("agents left in A and B").isEqualTo(
                        api.get("/api/agents?limit=500").org(a).as(owner).send().items().size()
                                + api.get("/api/agents?limit=500").org(b).as(owner).send().items().size());
    }

    /**
     * Moves and creates into an organization whose deletion committed between their check and
     * their count answered 500 (a move) and a bare foreign-key 409 (a create); both are 404 now,
     * and no agent is ever left in a deleted organization.
     */
    @Test
    void movesAndCreatesRacingAnOrganizationsDeletionAreRefusedCleanly() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 8; round++) {
                String doomed = platform.createOrg("Doomed");
                List<String> movers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    movers.add(platform.createAgent(DefaultOrg.ID.toString(), "Mover"));
                }
                List<Future<Api.Response>> calls = new ArrayList<>();
                calls.add(pool.submit(() -> api.delete("/api/organizations/" + doomed).as(owner).send()));
                for (String mover : movers) {
                    calls.add(pool.submit(() -> api.post("/api/agents/" + mover + "/assign-org").as(owner)
                            .json(Map.of("orgId", doomed)).send()));
                    calls.add(pool.submit(() -> api.post("/api/agents").as(owner).org(doomed)
                            .json(Map.of("name", "Born late")).send()));
                }
                for (Future<Api.Response> call : calls) {
                    Api.Response answer = call.get();
                    assertThat(answer.status()).as(answer.toString()).isIn(200, 201, 204, 404, 409);
                    if (answer.status() == 409) {
                        assertThat(answer.text("detail")).as(answer.toString()).doesNotContain("current data");
                    }
                }
                Api.Response left = api.get("/api/organizations/" + doomed).as(owner).send();
                if (left.status() == 404) {
                    for (String mover : movers) {
                        assertThat(api.get("/api/agents/" + mover).as(owner).send().expect(200).text("clientOrgId"))
                                .isEqualTo(DefaultOrg.ID.toString());
                    }
                } else {
                    assertThat(left.json().path("agentCount").asLong()).isEqualTo(api.get("/api/agents?limit=500")
                            .org(doomed).as(owner).send().expect(200).items().size());
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A client user given Organizations, Agents and Interventions but not Billing read the org's
     * rate and budget and its agents' rates and budgets on those pages' answers.
     */
    @Test
    void ratesAndBudgetsShowOnlyToThoseWithTheBillingPage() {
        String name = Platform.unique("Priced");
        String org = platform.createOrg(Map.of("name", name, "billingRatePerAgent", "75.00",
                "currency", "EUR", "monthlyBudget", "500.00"));
        String agent = platform.createAgent(org, "Priced agent");
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("billingRateOverride", "90.00",
                "monthlyBudget", "20.00")).send().expect(200);
        List<String> pages = List.of("organizations", "agents", "interventions");
        String withoutBilling = platform.createUser("user", org, pages);
        String unboundWithoutBilling = platform.createUser("user", null, pages);
        String withBilling = platform.createUser("user", org, List.of("organizations", "agents", "interventions",
                "billing", "costs"));

        for (String reader : List.of(withoutBilling, unboundWithoutBilling)) {
            Api.Response detail = api.get("/api/organizations/" + org).as(reader).send().expect(200);
            assertThat(detail.json().path("billingRatePerAgent").isNull()).isTrue();
            assertThat(detail.json().path("monthlyBudget").isNull()).isTrue();
            assertThat(detail.text("currency")).isEqualTo("EUR");
            assertThat(detail.json().path("agents").get(0).path("name").asText()).startsWith("Priced agent");
            assertThat(detail.json().path("agents").get(0).path("effectiveBillingRate").isNull()).isTrue();
            JsonNode listed = only(api.get("/api/organizations?q=" + name.replace(' ', '+')).as(reader).send(), org);
            assertThat(listed.path("billingRatePerAgent").isNull()).isTrue();
            assertThat(listed.path("monthlyBudget").isNull()).isTrue();
            assertThat(listed.path("agentCount").asLong()).isEqualTo(1);

            List<JsonNode> agents = new ArrayList<>(api.get("/api/agents").org(org).as(reader).send().items());
            agents.add(api.get("/api/agents/" + agent).org(org).as(reader).send().expect(200).json());
            agents.add(api.post("/api/agents/" + agent + "/pause").org(org).as(reader)
                    .json(Map.of("reason", "checking")).send().expect(200).json());
            agents.add(api.post("/api/agents/" + agent + "/resume").org(org).as(reader)
                    .json(Map.of("reason", "checked")).send().expect(200).json());
            for (JsonNode seen : agents) {
                assertThat(seen.path("name").asText()).startsWith("Priced agent");
                for (String amount : List.of("billingRateOverride", "effectiveBillingRate", "monthlyBudget")) {
                    assertThat(seen.path(amount).isNull()).as(amount).isTrue();
                }
            }
        }

        for (String reader : List.of(withBilling, owner)) {
            Api.Response detail = api.get("/api/organizations/" + org).as(reader).send().expect(200);
            assertThat(detail.json().path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("75");
            assertThat(detail.json().path("monthlyBudget").decimalValue()).isEqualByComparingTo("500");
            assertThat(detail.json().path("agents").get(0).path("effectiveBillingRate").decimalValue())
                    .isEqualByComparingTo("90");
            assertThat(only(api.get("/api/organizations?q=" + name.replace(' ', '+')).as(reader).send(), org)
                    .path("billingRatePerAgent").decimalValue()).isEqualByComparingTo("75");
            JsonNode seen = api.get("/api/agents/" + agent).org(org).as(reader).send().expect(200).json();
            assertThat(seen.path("billingRateOverride").decimalValue()).isEqualByComparingTo("90");
            assertThat(seen.path("effectiveBillingRate").decimalValue()).isEqualByComparingTo("90");
            assertThat(seen.path("monthlyBudget").decimalValue()).isEqualByComparingTo("20");
        }
        JsonNode stored = api.get("/api/agents/" + agent).as(owner).send().expect(200).json();
        assertThat(stored.path("monthlyBudget").decimalValue()).as("the nulls are answers, not writes")
                .isEqualByComparingTo("20");
    }

    private static JsonNode only(Api.Response page, String id) {
        return page.expect(200).items().stream().filter(o -> o.path("id").asText().equals(id)).findFirst()
                .orElseThrow();
    }
}
