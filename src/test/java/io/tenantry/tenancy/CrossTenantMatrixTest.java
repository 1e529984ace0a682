package io.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.server.PathContainer;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

import io.tenantry.billing.statement.BudgetWatch;
import io.tenantry.support.Api;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.Platform;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

/**
 * Every endpoint that touches org data, as every kind of principal, against objects in
 * org A, org B and the default org. Each cell asserts the status; a bound user's answers
 * must not contain a single id of another org; a refused write must change nothing, and a
 * cell whose answer says little (204, an empty list) checks the state behind it. A new
 * endpoint joins this matrix in the change that adds it: the last test compares the routes
 * the server registers with the routes the cells called, and fails on any difference.
 * On a database of its own, since it closes billing months.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=cross-tenant-matrix")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossTenantMatrixTest {

    /**
     * Routes that are not org data, each reviewed: the container's error address and the
     * generated API description (operators only, checked in PlatformEndpointsTest).
     */
    static final Set<String> OUTSIDE_THE_MATRIX = Set.of("/error", "/v3/api-docs", "/v3/api-docs.yaml",
            "/v3/api-docs/{group}", "/v3/api-docs/swagger-config", "/swagger-ui.html", "/v3/api-docs/**");

    /**
     * The principals. CLIENT_A is a user of org A given every page but costs (a client reading
     * their bill): it is answered as USER_A is, unless a row says otherwise, and no answer it
     * gets may carry a token cost, margin or budget.
     */
    enum Who { OWNER, ADMIN, UNBOUND, USER_A, USER_B, CLIENT_A, AGENT_A, NOBODY }

    enum Where { A, B, DEFAULT }

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping routes;

    @Autowired
    BudgetWatch budgetWatch;

    /** "METHOD /path" of every request a cell made as its principal. */
    final Set<String> exercised = ConcurrentHashMap.newKeySet();

    Api api;
    Platform platform;
    final Map<Who, String> tokens = new EnumMap<>(Who.class);
    final Map<Where, String> orgs = new EnumMap<>(Where.class);
    final Map<Where, String> agents = new EnumMap<>(Where.class);
    final Map<Where, String> users = new EnumMap<>(Where.class);
    final Map<Where, String> keys = new EnumMap<>(Where.class);
    final Map<Where, String> policies = new EnumMap<>(Where.class);
    String baselineRule;
    final Map<Where, String> rules = new EnumMap<>(Where.class);
    final Map<Where, String> documents = new EnumMap<>(Where.class);
    String sharedDocument;
    final Map<Where, String> memories = new EnumMap<>(Where.class);
    final Map<Where, String> credentials = new EnumMap<>(Where.class);
    /** The value of each org's matrix credential: only org A's agent may ever be answered one (A's). */
    final Map<Where, String> secrets = new EnumMap<>(Where.class);
    /** The gateway's matrix route goes to a port where nothing listens: calls reach no upstream. */
    String gatewayProvider;
    String gatewayRoute;
    final Map<Where, String> gatewayModels = new EnumMap<>(Where.class);
    final Map<Who, String> emails = new EnumMap<>(Who.class);
    final Map<Who, String> userIds = new EnumMap<>(Who.class);
    final java.util.concurrent.atomic.AtomicInteger fxYears = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    void world() {
        MonthEdge.awayFromMidnight();
        api = new Api(port);
        platform = new Platform(api);
        orgs.put(Where.A, platform.createOrg("Org A"));
        orgs.put(Where.B, platform.createOrg("Org B"));
        orgs.put(Where.DEFAULT, DefaultOrg.ID.toString());
        for (Where where : Where.values()) {
            agents.put(where, platform.createAgent(orgs.get(where), "Agent " + where));
        }
        tokens.put(Who.OWNER, platform.owner());
        tokens.put(Who.ADMIN, platform.createUser("admin", null, List.of()));
        tokens.put(Who.UNBOUND, platform.createUser("user", null, Platform.ALL_PAGES));
        tokens.put(Who.USER_A, platform.createUser("user", orgs.get(Where.A), Platform.ALL_PAGES));
        tokens.put(Who.USER_B, platform.createUser("user", orgs.get(Where.B), Platform.ALL_PAGES));
        tokens.put(Who.CLIENT_A, platform.createUser("user", orgs.get(Where.A), Platform.ALL_PAGES.stream()
                .filter(page -> !page.equals("costs")).toList()));
        tokens.put(Who.AGENT_A, platform.issueKey(agents.get(Where.A)));
        tokens.put(Who.NOBODY, null);
        users.put(Where.A, platform.userId(tokens.get(Who.USER_A)));
        users.put(Where.B, platform.userId(tokens.get(Who.USER_B)));
        users.put(Where.DEFAULT, platform.userId(platform.createUser("user", orgs.get(Where.DEFAULT),
                List.of("agents"))));
        for (Who who : List.of(Who.OWNER, Who.ADMIN, Who.UNBOUND, Who.USER_A, Who.USER_B, Who.CLIENT_A)) {
            Api.Response me = api.get("/api/me").as(tokens.get(who)).send().expect(200);
            emails.put(who, me.text("email"));
            userIds.put(who, me.id());
        }
        keys.put(Where.A, tokens.get(Who.AGENT_A));
        keys.put(Where.B, platform.issueKey(agents.get(Where.B)));
        keys.put(Where.DEFAULT, platform.issueKey(agents.get(Where.DEFAULT)));
        // Every org over a small budget, so its alert list is not empty.
        for (Where where : Where.values()) {
            api.patch("/api/organizations/" + orgs.get(where)).as(platform.owner())
                    .json(Map.of("monthlyBudget", "0.01")).send().expect(200);
            api.post("/api/usage").as(platform.owner()).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o",
                    1_000_000, 0, 0, Instant.now()), agents.get(where))).send().expect(201);
        }
        budgetWatch.check(Instant.now());
        for (Where where : Where.values()) {
            policies.put(where, newPolicy(where, platform.owner()).expect(201).id());
        }
        baselineRule = newBaselineRule();
        for (Where where : Where.values()) {
            rules.put(where, newRule(where, platform.owner()).expect(201).id());
            // Each org's agent trips its org's rule once, so every org has an intervention on record.
            api.post("/agent/v1/guardrails/check").as(keys.get(where)).json(Map.of("direction", "input",
                    "content", "a matrixword here")).send().expect(200);
        }
        api.put("/api/settings/fx-rates").as(platform.owner())
                .json(Map.of("currency", "EUR", "rate", "0.9", "effectiveFrom", "2099-01")).send().expect(200);
        for (Where where : Where.values()) {
            documents.put(where, newDocument(where, platform.owner(), false).expect(201).id());
        }
        sharedDocument = newDocument(Where.DEFAULT, platform.owner(), true).expect(201).id();
        for (Where where : Where.values()) {
            memories.put(where, newMemory(where, platform.owner()).expect(201).id());
        }
        for (Where where : Where.values()) {
            secrets.put(where, "matrix-secret-" + where + "-" + java.util.UUID.randomUUID());
            credentials.put(where, api.post("/api/credentials").org(orgs.get(where)).as(platform.owner())
                    .json(Map.of("name", "MATRIX_KEY", "kind", "api_key", "value", secrets.get(where))).send()
                    .expect(201).id());
        }
        // Org A's agent reads its credential once, so A's read history is not empty.
        api.get("/agent/v1/credentials/MATRIX_KEY").as(keys.get(Where.A)).send().expect(200);
        gatewayProvider = newGatewayProvider();
        gatewayRoute = newGatewayRoute("matrix-model");
        for (Where where : Where.values()) {
            // Each org's agent asks for a model nobody routed: every org has a refused call in its request log.
            gatewayModels.put(where, "matrix-unrouted-" + where);
            api.post("/agent/v1/chat/completions").as(keys.get(where)).json(Map.of("model", gatewayModels.get(where),
                    "messages", List.of(Map.of("role", "user", "content", "hi")))).send().expect(404);
        }
    }

    static long statsTotal(Api.Response stats) {
        long total = 0;
        for (tools.jackson.databind.JsonNode bucket : stats.json().path("buckets")) {
            total += bucket.path("requests").asLong();
        }
        return total;
    }

    String newGatewayProvider() {
        return api.post("/api/settings/providers").as(platform.owner()).json(Map.of("name", "matrix-"
                + java.util.UUID.randomUUID().toString().substring(0, 8), "baseUrl", "http://127.0.0.1:9/v1",
                "connectTimeoutMs", 200)).send().expect(201).id();
    }

    String newGatewayRoute(String prefix) {
        String name = api.get("/api/settings/providers/" + gatewayProvider).as(platform.owner()).send().text("name");
        return api.post("/api/settings/routes").as(platform.owner()).json(Map.of("model", prefix + "-"
                + java.util.UUID.randomUUID().toString().substring(0, 8), "targets", List.of(Map.of("provider", name,
                        "model", "nowhere")))).send().expect(201).id();
    }

    String routedModel() {
        return api.get("/api/settings/routes/" + gatewayRoute).as(platform.owner()).send().text("model");
    }

    /** A credential of {@code where}'s org, added by {@code token}. */
    Api.Response newCredential(Where where, String token) {
        return api.post("/api/credentials").org(orgs.get(where)).as(token).json(Map.of("name",
                Platform.unique("KEY").replace(' ', '_'), "kind", "other", "value", "matrix-value-" + where)).send();
    }

    /** Fields that tell what the agency pays: a user without the costs permission gets none of them. */
    static final Set<String> COST_FIELDS = Set.of("cost", "costUsd", "margin", "fxRate", "monthlyBudget", "budget",
            "budgetUsed", "costByModel", "previousCost", "previousCostUsd", "previousMargin", "inputPricePerMillion",
            "outputPricePerMillion", "cachedInputPricePerMillion");

    /** No field of {@link #COST_FIELDS} holds a value, at any depth, and a CSV has no cost column. */
    static void holdsNoCost(Api.Response response) {
        if (response.body().isEmpty()) {
            return;
        }
        if (response.request().contains(".csv")) {
            assertThat(response.body().lines().findFirst().orElse("")).doesNotContain("cost");
            return;
        }
        if (!response.body().startsWith("{") && !response.body().startsWith("[")) {
            return;
        }
        List<String> found = new ArrayList<>();
        costsIn(response.json(), "", found);
        assertThat(found).as("%s gives a user without costs: %s", response.request(), found).isEmpty();
    }

    private static void costsIn(tools.jackson.databind.JsonNode node, String path, List<String> found) {
        if (node.isObject()) {
            for (var field : node.properties()) {
                String at = path + "/" + field.getKey();
                if (COST_FIELDS.contains(field.getKey()) && !field.getValue().isNull()) {
                    found.add(at + "=" + field.getValue());
                }
                costsIn(field.getValue(), at, found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                costsIn(node.get(i), path + "/" + i, found);
            }
        }
    }

    /** No answer but an agent's own read holds a credential's value. */
    void holdsNoSecret(Api.Response response) {
        for (String secret : secrets.values()) {
            assertThat(response.body()).doesNotContain(secret);
        }
    }

    /** A memory entry of {@code where}'s agent, holding the matrix's word, added by {@code token}. */
    Api.Response newMemory(Where where, String token) {
        return api.post("/api/agents/" + agents.get(where) + "/memory").as(token).json(Map.of("category", "fact",
                "title", Platform.unique("Memory"), "content", "Remembered in " + where + ": matrixmemory.")).send();
    }

    /** How many entries {@code where}'s agent holds, as the owner sees them. */
    int memoryCount(Where where) {
        return api.get("/api/agents/" + agents.get(where) + "/memory?limit=500").as(platform.owner()).send()
                .expect(200).items().size();
    }

    /** A document of {@code where}'s org holding the matrix's search word, added by {@code token}. */
    Api.Response newDocument(Where where, String token, boolean shared) {
        return api.post("/api/knowledge/documents").org(orgs.get(where)).as(token).json(Map.of("title",
                Platform.unique("Document"), "content", "Notes of " + where + " about matrixknowledge.", "shared",
                shared)).send();
    }

    /** The documents a search for the matrix's word answers, as {@code token} in {@code org}'s context (or none). */
    List<String> documentsFound(Api.Response response) {
        return response.items().stream().map(h -> h.path("documentId").asString()).distinct().toList();
    }

    /** The ids of an org's guardrail rules, as its owner sees them. */
    List<String> rulesOf(String org) {
        return api.get("/api/guardrails/rules?limit=500").org(org).as(platform.owner()).send().expect(200).itemIds();
    }

    /** A guardrail rule of {@code where}'s org naming that org's agent, added by {@code token}. */
    Api.Response newRule(Where where, String token) {
        return api.post("/api/guardrails/rules").org(orgs.get(where)).as(token).json(Map.of("name",
                Platform.unique("Rule"), "type", "keyword", "action", "block", "keywords", List.of("matrixword"),
                "appliesTo", List.of(agents.get(where)))).send();
    }

    /** A rule of the platform baseline, added by the owner; its word appears in no other cell's text. */
    String newBaselineRule() {
        return api.post("/api/guardrails/rules").org(orgs.get(Where.DEFAULT)).as(platform.owner()).json(Map.of(
                "name", Platform.unique("Baseline"), "type", "keyword", "action", "flag", "keywords",
                List.of("matrixbaselineword"), "baseline", true)).send().expect(201).id();
    }

    /** A policy of {@code where}'s org naming that org's agent, added by {@code token}. */
    Api.Response newPolicy(Where where, String token) {
        return api.post("/api/policies").org(orgs.get(where)).as(token).json(Map.of("name", Platform.unique("Policy"),
                "category", "security", "enforcement", "mandatory", "content", "# Rules of " + where,
                "appliesTo", List.of(agents.get(where)))).send();
    }

    static boolean operator(Who who) {
        return who == Who.OWNER || who == Who.ADMIN;
    }

    /** The expected status for each principal. */
    record Expect(Map<Who, Integer> status) {

        static Expect of(int owner, int admin, int unbound, int userA, int userB, int agentA, int nobody) {
            Map<Who, Integer> map = new EnumMap<>(Who.class);
            map.put(Who.OWNER, owner);
            map.put(Who.ADMIN, admin);
            map.put(Who.UNBOUND, unbound);
            map.put(Who.USER_A, userA);
            map.put(Who.USER_B, userB);
            map.put(Who.CLIENT_A, userA);
            map.put(Who.AGENT_A, agentA);
            map.put(Who.NOBODY, nobody);
            return new Expect(map);
        }

        /** The same, but {@code status} for {@code who}. */
        Expect but(Who who, int status) {
            Map<Who, Integer> map = new EnumMap<>(status());
            map.put(who, status);
            return new Expect(map);
        }

        /** Reading an object that lives in {@code where}: bound users see their own org only. */
        static Expect readIn(Where where) {
            return of(200, 200, 200, where == Where.A ? 200 : 404, where == Where.B ? 200 : 404, 403, 401);
        }

        /** Reading within an org context: asking for another org than one's own is 403. */
        static Expect contextOf(Where where) {
            return of(200, 200, 200, where == Where.A ? 200 : 403, where == Where.B ? 200 : 403, 403, 401);
        }

        static Expect everyUser(int status) {
            return of(status, status, status, status, status, 403, 401);
        }

        /** Running the platform: owners and admins only. */
        static Expect operators(int status) {
            return of(status, status, 403, 403, 403, 403, 401);
        }
    }

    /**
     * Ids a principal must never see in any answer: the other orgs and their agents and
     * users. (Operators' ids may appear: an org's audit trail names whoever acted on it.)
     */
    Set<String> foreignTo(Who who) {
        return switch (who) {
            case USER_A, CLIENT_A, AGENT_A -> Set.of(orgs.get(Where.B), orgs.get(Where.DEFAULT), agents.get(Where.B),
                    agents.get(Where.DEFAULT), users.get(Where.B));
            case USER_B -> Set.of(orgs.get(Where.A), orgs.get(Where.DEFAULT), agents.get(Where.A),
                    agents.get(Where.DEFAULT), users.get(Where.A));
            default -> Set.of();
        };
    }

    DynamicTest cell(String name, Who who, int expected, Function<Who, Api.Response> call,
            Consumer<Api.Response> thenCheck) {
        return DynamicTest.dynamicTest(name + " as " + who + " -> " + expected, () -> {
            Api.Response response = call.apply(who);
            exercised.add(response.request());
            assertThat(response.status()).as(response.toString()).isEqualTo(expected);
            // The caller's own request (echoed as a problem's "instance") is not a leak.
            String target = response.request().substring(response.request().indexOf(' ') + 1);
            String answer = response.body().replace(target, "").replace(target.split("\\?")[0], "");
            for (String foreign : foreignTo(who)) {
                int at = answer.indexOf(foreign);
                assertThat(at).as("%s leaks another org's id %s to %s: ...%s...", response.request(), foreign, who,
                        at < 0 ? "" : answer.substring(Math.max(0, at - 200), Math.min(answer.length(), at + 60)))
                        .isNegative();
            }
            if (who == Who.CLIENT_A && expected < 300) {
                holdsNoCost(response);
            }
            if (expected < 300 && thenCheck != null) {
                thenCheck.accept(response);
            }
        });
    }

    Stream<DynamicTest> row(String name, Expect expect, Function<Who, Api.Response> call) {
        return row(name, expect, call, (who, response) -> { });
    }

    interface Check {
        void accept(Who who, Api.Response response);
    }

    Stream<DynamicTest> row(String name, Expect expect, Function<Who, Api.Response> call, Check check) {
        return Stream.of(Who.values())
                .map(who -> cell(name, who, expect.status().get(who), call, r -> check.accept(who, r)));
    }

    String token(Who who) {
        return tokens.get(who);
    }

    private final Map<String, String> supervisors = new java.util.concurrent.ConcurrentHashMap<>();

    /** A user of {@code org} with the Interventions page: whose pauses the org's own users may lift. */
    String orgSupervisor(String org) {
        return supervisors.computeIfAbsent(org, o -> platform.createUser("user", o, List.of("interventions")));
    }

    /** For a bound user, the org a list must be confined to; null for those who see all. */
    String homeOf(Who who) {
        return switch (who) {
            case USER_A, CLIENT_A -> orgs.get(Where.A);
            case USER_B -> orgs.get(Where.B);
            default -> null;
        };
    }

    @Order(1)
    @TestFactory
    Stream<DynamicTest> reads() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        rows.add(row("GET /api/organizations", Expect.everyUser(200),
                who -> api.get("/api/organizations?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.itemIds()).containsExactly(homeOf(who));
                    } else {
                        assertThat(r.itemIds()).contains(orgs.get(Where.A), orgs.get(Where.B));
                    }
                }));
        rows.add(row("GET /api/agents", Expect.everyUser(200),
                who -> api.get("/api/agents?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(a -> assertThat(a.path("clientOrgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.itemIds()).contains(agents.get(Where.A), agents.get(Where.B));
                    }
                }));
        rows.add(row("GET /api/users", Expect.everyUser(200),
                who -> api.get("/api/users?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty().allSatisfy(
                                u -> assertThat(u.path("clientOrgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.itemIds()).contains(users.get(Where.A), users.get(Where.B));
                    }
                }));
        rows.add(row("GET /api/audit", Expect.everyUser(200),
                who -> api.get("/api/audit?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(e -> assertThat(e.path("orgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.items().stream().map(e -> e.path("orgId").asString()))
                                .contains(orgs.get(Where.A), orgs.get(Where.B));
                    }
                }));
        rows.add(row("GET /api/org-context", Expect.everyUser(200),
                who -> api.get("/api/org-context").as(token(who)).send(),
                (who, r) -> {
                    assertThat(r.json().path("locked").asBoolean()).isEqualTo(homeOf(who) != null);
                    if (homeOf(who) != null) {
                        assertThat(r.json().path("current").path("id").asString()).isEqualTo(homeOf(who));
                        assertThat(r.json().path("orgs").size()).isEqualTo(1);
                    }
                }));
        rows.add(row("GET /api/me", Expect.everyUser(200), who -> api.get("/api/me").as(token(who)).send(),
                (who, r) -> assertThat(r.id()).isEqualTo(userIds.get(who))));
        // A wrong current password: each user is refused on their own account and keeps it (a right
        // one would end the matrix's own sessions; OwnPasswordTest changes passwords).
        rows.add(row("POST /api/me/password", Expect.everyUser(400), who -> {
            Api.Response response = api.from("192.0.2." + (150 + who.ordinal())).post("/api/me/password")
                    .as(token(who)).json(Map.of("currentPassword", "not the password", "newPassword",
                            "a new long passphrase")).send();
            if (emails.containsKey(who)) {
                assertThat(response.text("field")).isEqualTo("currentPassword");
                assertThat(Platform.login(api, emails.get(who), Platform.PASSWORD)).isNotBlank();
                assertThat(api.get("/api/me").as(token(who)).send().status()).isEqualTo(200);
            }
            return response;
        }));
        rows.add(row("GET /api/setup", Expect.of(200, 200, 200, 200, 200, 200, 200),
                who -> api.get("/api/setup").as(token(who)).send(),
                (who, r) -> assertThat(r.json().path("setupRequired").asBoolean()).isFalse()));
        rows.add(row("GET /api/settings/models", Expect.everyUser(200).but(Who.CLIENT_A, 403),
                who -> api.get("/api/settings/models").as(token(who)).send(),
                (who, r) -> assertThat(r.items()).isNotEmpty()));
        rows.add(row("GET /api/settings/model-aliases", Expect.everyUser(200),
                who -> api.get("/api/settings/model-aliases").as(token(who)).send()));
        rows.add(row("GET /api/settings/fx-rates", Expect.everyUser(200).but(Who.CLIENT_A, 403),
                who -> api.get("/api/settings/fx-rates").as(token(who)).send(),
                (who, r) -> {
                    assertThat(r.text("base")).isEqualTo("USD");
                    assertThat(r.json().path("entries")).isNotEmpty().allSatisfy(e -> assertThat(e.has("updatedBy"))
                            .as("an operator's name, shown to operators only").isEqualTo(operator(who)));
                }));
        rows.add(row("GET /api/settings/models/{model}/history", Expect.everyUser(200).but(Who.CLIENT_A, 403),
                who -> api.get("/api/settings/models/gpt-4o/history").as(token(who)).send(),
                (who, r) -> assertThat(r.items()).isNotEmpty().allSatisfy(v -> assertThat(v.has("createdBy"))
                        .as("an operator's name, shown to operators only").isEqualTo(operator(who)))));
        rows.add(row("GET /agent/v1/me", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.get("/agent/v1/me").as(token(who)).send(),
                (who, r) -> assertThat(r.json().path("org").path("id").asString()).isEqualTo(orgs.get(Where.A))));
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("GET /api/organizations/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/organizations/" + org).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(org)));
            rows.add(row("GET /api/agents with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/agents?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(a -> assertThat(a.path("clientOrgId").asString()).isEqualTo(org))));
            rows.add(row("GET /api/agents?orgId=" + where, Expect.contextOf(where),
                    who -> api.get("/api/agents?limit=500&orgId=" + org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(a -> assertThat(a.path("clientOrgId").asString()).isEqualTo(org))));
            rows.add(row("GET /api/audit with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/audit?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(e -> assertThat(e.path("orgId").asString()).isEqualTo(org))));
            rows.add(row("GET /api/users with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/users?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(u -> assertThat(u.path("clientOrgId").asString()).isEqualTo(org))));
            String agent = agents.get(where);
            rows.add(row("GET /api/agents/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/agents/" + agent).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(agent)));
            rows.add(row("GET /api/agents/{" + where + "}/assignments", Expect.readIn(where),
                    who -> api.get("/api/agents/" + agent + "/assignments").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()));
            rows.add(row("GET /api/agents/{" + where + "}/keys", Expect.readIn(where),
                    who -> api.get("/api/agents/" + agent + "/keys").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(k -> assertThat(k.path("agentId").asString()).isEqualTo(agent))));
            String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();
            rows.add(row("GET /api/organizations/{" + where + "}/billing-summary", Expect.readIn(where),
                    who -> api.get("/api/organizations/" + org + "/billing-summary?months=2").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).singleElement().satisfies(s -> {
                        assertThat(s.path("orgId").asString()).isEqualTo(org);
                        assertThat(s.path("month").asString()).isEqualTo(month);
                    })));
            rows.add(row("GET /api/organizations/{" + where + "}/billing", Expect.readIn(where),
                    who -> api.get("/api/organizations/" + org + "/billing?month=" + month).as(token(who)).send(),
                    (who, r) -> {
                        assertThat(r.json().path("lines").toString()).contains(agents.get(where));
                        assertThat(r.json().path("revenue").isNull()).isFalse();
                        // Every org was given usage: its cost is there for all who may see costs.
                        assertThat(r.json().path("costUsd").isNull()).isEqualTo(who == Who.CLIENT_A);
                    }));
            rows.add(row("GET /api/organizations/{" + where + "}/billing/{month}.csv", Expect.readIn(where),
                    who -> api.get("/api/organizations/" + org + "/billing/" + month + ".csv").as(token(who)).send(),
                    (who, r) -> {
                        assertThat(r.body()).contains(agents.get(where));
                        assertThat(r.body().lines().findFirst().orElseThrow().endsWith(",cost_usd,cost"))
                                .isEqualTo(who != Who.CLIENT_A);
                    }));
            rows.add(row("GET /api/organizations/{" + where + "}/budget-alerts",
                    Expect.readIn(where).but(Who.CLIENT_A, 403),
                    who -> api.get("/api/organizations/" + org + "/budget-alerts").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(a -> assertThat(a.path("orgId").asString()).isEqualTo(org))));
            rows.add(row("GET /api/organizations/{" + where + "}/deletion-check", Expect.operators(200),
                    who -> api.get("/api/organizations/" + org + "/deletion-check").as(token(who)).send(),
                    (who, r) -> {
                        assertThat(r.json().path("deletable").asBoolean()).as("it holds an agent").isFalse();
                        assertThat(r.json().path("obstacles").toString())
                                .contains(where == Where.DEFAULT ? "\"default\"" : "\"agents\"");
                    }));
            rows.add(row("GET /api/billing/month-to-date?orgIds={" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/billing/month-to-date?orgIds=" + org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).singleElement()
                            .satisfies(s -> assertThat(s.path("orgId").asString()).isEqualTo(org))));
            String user = users.get(where);
            rows.add(row("GET /api/users/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/users/" + user).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(user)));
        }
        rows.add(row("GET /api/billing/overview", Expect.operators(200),
                who -> api.get("/api/billing/overview").as(token(who)).send(),
                (who, r) -> assertThat(r.items().stream().map(i -> i.path("orgId").asString()))
                        .contains(orgs.get(Where.A), orgs.get(Where.B))));
        rows.add(row("GET /api/dashboard", Expect.everyUser(200),
                who -> api.get("/api/dashboard").as(token(who)).send(),
                (who, r) -> {
                    List<String> clients = new ArrayList<>();
                    r.json().path("topByCost").forEach(o -> clients.add(o.path("orgId").asString()));
                    assertThat(r.json().path("costs").asBoolean()).isEqualTo(who != Who.CLIENT_A);
                    if (who == Who.CLIENT_A) {
                        assertThat(clients).as("a ranking by cost is the costs'").isEmpty();
                        assertThat(r.json().path("clientOrgs").asInt()).isEqualTo(1);
                        assertThat(r.json().path("currencies").get(0).path("revenue").isNull()).isFalse();
                    } else if (homeOf(who) != null) {
                        assertThat(clients).containsExactly(homeOf(who));
                        assertThat(r.json().path("clientOrgs").asInt()).isEqualTo(1);
                        assertThat(r.json().path("own").isNull()).as("the operator's own org").isTrue();
                    } else {
                        assertThat(clients).contains(orgs.get(Where.A), orgs.get(Where.B))
                                .doesNotContain(orgs.get(Where.DEFAULT));
                        assertThat(r.json().path("own").path("orgId").asString()).isEqualTo(orgs.get(Where.DEFAULT));
                    }
                }));
        rows.add(row("GET /api/policies", Expect.everyUser(200),
                who -> api.get("/api/policies?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(p -> assertThat(p.path("orgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.itemIds()).contains(policies.get(Where.A), policies.get(Where.B));
                    }
                }));
        rows.add(row("GET /agent/v1/policies", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.get("/agent/v1/policies").as(token(who)).send(),
                (who, r) -> assertThat(r.itemIds()).containsExactly(policies.get(Where.A))));
        rows.add(row("GET /api/guardrails/rules", Expect.everyUser(200),
                who -> api.get("/api/guardrails/rules?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(g -> assertThat(g.path("orgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.itemIds()).contains(rules.get(Where.A), rules.get(Where.B));
                    }
                }));
        rows.add(row("GET /api/guardrails/baseline", Expect.everyUser(200),
                who -> api.get("/api/guardrails/baseline?limit=500").as(token(who)).send(),
                (who, r) -> assertThat(r.items()).anySatisfy(b -> {
                    assertThat(b.path("id").asString()).isEqualTo(baselineRule);
                    assertThat(b.has("orgId")).as("the baseline does not say whose it is").isFalse();
                })));
        rows.add(row("GET /api/interventions", Expect.everyUser(200),
                who -> api.get("/api/interventions?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(i -> assertThat(i.path("orgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.items().stream().map(i -> i.path("orgId").asString()))
                                .contains(orgs.get(Where.A), orgs.get(Where.B));
                    }
                }));
        rows.add(row("GET /api/interventions/summary", Expect.everyUser(200),
                who -> api.get("/api/interventions/summary").as(token(who)).send(),
                (who, r) -> {
                    List<String> fired = new ArrayList<>();
                    r.json().path("rules").forEach(rule -> fired.add(rule.path("ruleId").asString()));
                    if (homeOf(who) != null) {
                        Where home = homeOf(who).equals(orgs.get(Where.A)) ? Where.A : Where.B;
                        assertThat(fired).containsExactly(rules.get(home));
                    } else {
                        assertThat(fired).contains(rules.get(Where.A), rules.get(Where.B), rules.get(Where.DEFAULT));
                    }
                }));
        rows.add(row("GET /api/interventions.csv", Expect.everyUser(200),
                who -> api.get("/api/interventions.csv").as(token(who)).send(),
                (who, r) -> {
                    assertThat(r.body()).startsWith("time,org_id");
                    if (homeOf(who) != null) {
                        assertThat(r.body()).contains(homeOf(who));
                    } else {
                        assertThat(r.body()).contains(orgs.get(Where.A)).contains(orgs.get(Where.B));
                    }
                }));
        rows.add(row("POST /agent/v1/guardrails/check", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.post("/agent/v1/guardrails/check").as(token(who)).json(Map.of("direction", "output",
                        "content", "matrixword")).send(),
                (who, r) -> {
                    assertThat(r.text("decision")).isEqualTo("block");
                    assertThat(r.json().path("matches")).singleElement().satisfies(
                            m -> assertThat(m.path("ruleId").asString()).isEqualTo(rules.get(Where.A)));
                }));
        rows.add(row("GET /api/knowledge/documents", Expect.everyUser(200),
                who -> api.get("/api/knowledge/documents?limit=500").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(d -> assertThat(d.path("orgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.itemIds()).contains(documents.get(Where.A), documents.get(Where.B));
                    }
                }));
        rows.add(row("GET /api/knowledge/shared", Expect.everyUser(200),
                who -> api.get("/api/knowledge/shared?limit=500").as(token(who)).send(),
                (who, r) -> assertThat(r.itemIds()).contains(sharedDocument)
                        .doesNotContain(documents.get(Where.DEFAULT))));
        rows.add(row("GET /api/knowledge/documents/{shared}", Expect.everyUser(200),
                who -> api.get("/api/knowledge/documents/" + sharedDocument).as(token(who)).send(),
                (who, r) -> assertThat(r.json().path("editable").asBoolean()).isEqualTo(operator(who))));
        rows.add(row("GET /api/knowledge/search", Expect.everyUser(200),
                who -> api.get("/api/knowledge/search?q=matrixknowledge&limit=50").as(token(who)).send(),
                (who, r) -> {
                    if (homeOf(who) != null) {
                        Where home = homeOf(who).equals(orgs.get(Where.A)) ? Where.A : Where.B;
                        assertThat(documentsFound(r)).containsExactlyInAnyOrder(documents.get(home), sharedDocument);
                    } else {
                        assertThat(documentsFound(r)).contains(documents.get(Where.A), documents.get(Where.B),
                                documents.get(Where.DEFAULT), sharedDocument);
                    }
                }));
        rows.add(row("GET /agent/v1/knowledge/search", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.get("/agent/v1/knowledge/search?q=matrixknowledge&limit=50").as(token(who)).send(),
                (who, r) -> assertThat(documentsFound(r)).containsExactlyInAnyOrder(documents.get(Where.A),
                        sharedDocument)));
        rows.add(row("GET /api/knowledge/reindex", Expect.operators(200),
                who -> api.get("/api/knowledge/reindex").as(token(who)).send()));
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            String document = documents.get(where);
            rows.add(row("GET /api/knowledge/documents with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/knowledge/documents?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(d -> assertThat(d.path("orgId").asString()).isEqualTo(org))));
            rows.add(row("GET /api/knowledge/search with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/knowledge/search?q=matrixknowledge&limit=50").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(documentsFound(r)).contains(document)
                            .doesNotContain(documents.values().stream().filter(d -> !d.equals(document))
                                    .toArray(String[]::new))));
            rows.add(row("GET /api/knowledge/documents/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/knowledge/documents/" + document).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(document)));
            rows.add(row("GET /api/knowledge/documents/{" + where + "}/chunks", Expect.readIn(where),
                    who -> api.get("/api/knowledge/documents/" + document + "/chunks").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()));
        }
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            String policy = policies.get(where);
            rows.add(row("GET /api/policies with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/policies?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(p -> assertThat(p.path("orgId").asString()).isEqualTo(org))));
            rows.add(row("GET /api/policies/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/policies/" + policy).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(policy)));
            rows.add(row("GET /api/policies/{" + where + "}/versions", Expect.readIn(where),
                    who -> api.get("/api/policies/" + policy + "/versions").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()));
            String rule = rules.get(where);
            rows.add(row("GET /api/guardrails/rules with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/guardrails/rules?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(g -> assertThat(g.path("orgId").asString()).isEqualTo(org))));
            rows.add(row("GET /api/guardrails/rules/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/guardrails/rules/" + rule).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(rule)));
            rows.add(row("GET /api/guardrails/rules/{" + where + "}/versions", Expect.readIn(where),
                    who -> api.get("/api/guardrails/rules/" + rule + "/versions").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()));
            rows.add(row("GET /api/interventions with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/interventions?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(i -> assertThat(i.path("orgId").asString()).isEqualTo(org))));
            rows.add(row("POST /api/guardrails/test with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.post("/api/guardrails/test").org(org).as(token(who))
                            .json(Map.of("content", "matrixword")).send(),
                    (who, r) -> assertThat(r.json().path("matches")).isNotEmpty().allSatisfy(
                            m -> assertThat(m.path("ruleId").asString()).isIn(rulesOf(org)))));
        }
        for (Where where : Where.values()) {
            String agent = agents.get(where);
            String entry = memories.get(where);
            rows.add(row("GET /api/agents/{" + where + "}/memory", Expect.readIn(where),
                    who -> api.get("/api/agents/" + agent + "/memory?q=matrixmemory").as(token(who)).send(),
                    (who, r) -> assertThat(r.itemIds()).contains(entry).allSatisfy(id -> assertThat(id)
                            .isNotIn(memories.values().stream().filter(m -> !m.equals(entry)).toList()))));
            rows.add(row("GET /api/agents/{" + where + "}/memory/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/agents/" + agent + "/memory/" + entry).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(entry)));
            rows.add(row("GET /agent/v1/memory/{" + where + "}", Expect.of(403, 403, 403, 403, 403,
                    where == Where.A ? 200 : 404, 401),
                    who -> api.get("/agent/v1/memory/" + entry).as(token(who)).send(),
                    (who, r) -> assertThat(r.id()).isEqualTo(entry)));
        }
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            String credential = credentials.get(where);
            rows.add(row("GET /api/credentials with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/credentials?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> {
                        holdsNoSecret(r);
                        assertThat(r.itemIds()).contains(credential);
                        assertThat(r.items()).allSatisfy(c -> assertThat(c.path("orgId").asString()).isEqualTo(org));
                    }));
            rows.add(row("GET /api/credentials/{" + where + "}", Expect.readIn(where),
                    who -> api.get("/api/credentials/" + credential).as(token(who)).send(),
                    (who, r) -> {
                        holdsNoSecret(r);
                        assertThat(r.id()).isEqualTo(credential);
                    }));
            rows.add(row("GET /api/credentials/{" + where + "}/reads", Expect.readIn(where),
                    who -> api.get("/api/credentials/" + credential + "/reads").as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).hasSize(where == Where.A ? 1 : 0)));
        }
        rows.add(row("GET /api/credentials", Expect.everyUser(200),
                who -> api.get("/api/credentials?limit=500").as(token(who)).send(),
                (who, r) -> {
                    holdsNoSecret(r);
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(c -> assertThat(c.path("orgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(r.itemIds()).containsAll(credentials.values());
                    }
                }));
        rows.add(row("GET /agent/v1/credentials/{name}", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.get("/agent/v1/credentials/MATRIX_KEY").as(token(who)).send(),
                (who, r) -> assertThat(r.text("value")).isEqualTo(secrets.get(Where.A))));
        rows.add(row("GET /api/credentials/rotate-master-key", Expect.of(200, 403, 403, 403, 403, 403, 401),
                who -> api.get("/api/credentials/rotate-master-key").as(token(who)).send(),
                (who, r) -> assertThat(r.json().path("total").asLong()).isPositive()));
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("GET /api/gateway/requests with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/gateway/requests?limit=500").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.items()).isNotEmpty()
                            .allSatisfy(c -> assertThat(c.path("orgId").asString()).isEqualTo(org))
                            .anySatisfy(c -> assertThat(c.path("model").asString()).isEqualTo(gatewayModels
                                    .get(where)))));
            rows.add(row("GET /api/gateway/stats with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/gateway/stats").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(statsTotal(r)).as("the stats count the calls the log shows")
                            .isEqualTo(api.get("/api/gateway/requests?limit=500").org(org).as(token(who)).send()
                                    .items().size())));
            rows.add(row("GET /api/gateway/settings with X-Org-Id " + where, Expect.contextOf(where),
                    who -> api.get("/api/gateway/settings").org(org).as(token(who)).send(),
                    (who, r) -> assertThat(r.text("orgId")).isEqualTo(org)));
        }
        rows.add(row("GET /api/gateway/requests", Expect.everyUser(200),
                who -> api.get("/api/gateway/requests?limit=500").as(token(who)).send(),
                (who, r) -> {
                    List<String> models = r.items().stream().map(c -> c.path("model").asString()).toList();
                    if (homeOf(who) != null) {
                        assertThat(r.items()).isNotEmpty()
                                .allSatisfy(c -> assertThat(c.path("orgId").asString()).isEqualTo(homeOf(who)));
                    } else {
                        assertThat(models).containsAll(gatewayModels.values());
                    }
                }));
        rows.add(row("GET /api/gateway/stats", Expect.everyUser(200),
                who -> api.get("/api/gateway/stats?range=week").as(token(who)).send(),
                (who, r) -> assertThat(statsTotal(r)).isEqualTo(api.get("/api/gateway/requests?limit=500")
                        .as(token(who)).send().items().size())));
        rows.add(row("GET /api/settings/providers", Expect.operators(200),
                who -> api.get("/api/settings/providers").as(token(who)).send(),
                (who, r) -> assertThat(r.itemIds()).contains(gatewayProvider)));
        rows.add(row("GET /api/settings/providers/{id}", Expect.operators(200),
                who -> api.get("/api/settings/providers/" + gatewayProvider).as(token(who)).send()));
        rows.add(row("GET /api/settings/routes", Expect.operators(200),
                who -> api.get("/api/settings/routes").as(token(who)).send(),
                (who, r) -> assertThat(r.itemIds()).contains(gatewayRoute)));
        rows.add(row("GET /api/settings/routes/{id}", Expect.operators(200),
                who -> api.get("/api/settings/routes/" + gatewayRoute).as(token(who)).send()));
        rows.add(row("GET /agent/v1/models", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.get("/agent/v1/models").as(token(who)).send(),
                (who, r) -> assertThat(r.body()).contains(routedModel())));
        rows.add(row("GET /agent/v1/models/{model}", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.get("/agent/v1/models/" + routedModel()).as(token(who)).send(),
                (who, r) -> assertThat(r.text("id")).isEqualTo(routedModel())));
        // Org A's agent reaches the route; its upstream is down, which is answered, logged and never a 500.
        rows.add(row("POST /agent/v1/chat/completions", Expect.of(403, 403, 403, 403, 403, 502, 401),
                who -> api.post("/agent/v1/chat/completions").as(token(who)).json(Map.of("model", routedModel(),
                        "messages", List.of(Map.of("role", "user", "content", "hi")))).send(),
                (who, r) -> assertThat(r.json().path("error").path("code").asString()).isEqualTo(
                        "upstream_unreachable")));
        rows.add(row("POST /agent/v1/embeddings", Expect.of(403, 403, 403, 403, 403, 502, 401),
                who -> api.post("/agent/v1/embeddings").as(token(who)).json(Map.of("model", routedModel(),
                        "input", "hi")).send()));
        rows.add(row("GET /api/agents/{A}/memory/{B}", Expect.of(404, 404, 404, 404, 404, 403, 401),
                who -> api.get("/api/agents/" + agents.get(Where.A) + "/memory/" + memories.get(Where.B))
                        .as(token(who)).send()));
        rows.add(row("GET /agent/v1/memory", Expect.of(403, 403, 403, 403, 403, 200, 401),
                who -> api.get("/agent/v1/memory?q=matrixmemory").as(token(who)).send(),
                (who, r) -> assertThat(r.itemIds()).containsExactly(memories.get(Where.A))));
        // An operator who picked org A does not reach org B's objects through it either.
        rows.add(row("GET /api/agents/{B} with X-Org-Id A", Expect.of(404, 404, 404, 404, 403, 403, 401),
                who -> api.get("/api/agents/" + agents.get(Where.B)).org(orgs.get(Where.A)).as(token(who)).send()));
        return rows.stream().flatMap(s -> s);
    }

    @Order(2)
    @TestFactory
    Stream<DynamicTest> usageWrites() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        for (Where where : Where.values()) {
            rows.add(row("POST /api/usage for an agent in " + where, Expect.operators(201), who -> {
                Map<String, Object> event = Map.of("agentId", agents.get(where), "eventId",
                        "matrix-" + java.util.UUID.randomUUID(), "model", "gpt-4o", "inputTokens", 10,
                        "outputTokens", 5, "occurredAt", java.time.Instant.now().toString());
                Api.Response response = api.post("/api/usage").as(token(who)).json(event).send();
                Api.Response byOwner = api.post("/api/usage").as(platform.owner()).json(event).send().expect(201);
                assertThat(byOwner.header("Idempotent-Replayed")).as("stored by %s before", who)
                        .isEqualTo(response.status() == 201 ? "true" : null);
                return response;
            }));
        }
        // In org A's context an import for org B's agent would change B's bill.
        rows.add(row("POST /api/usage for agent B with X-Org-Id A", Expect.of(404, 404, 403, 403, 403, 403, 401),
                who -> {
                    Map<String, Object> event = Map.of("agentId", agents.get(Where.B), "eventId",
                            "matrix-" + java.util.UUID.randomUUID(), "model", "gpt-4o", "inputTokens", 10,
                            "outputTokens", 5, "occurredAt", java.time.Instant.now().toString());
                    Api.Response response = api.post("/api/usage").org(orgs.get(Where.A)).as(token(who)).json(event)
                            .send();
                    Api.Response byOwner = api.post("/api/usage").as(platform.owner()).json(event).send().expect(201);
                    assertThat(byOwner.header("Idempotent-Replayed")).as("stored by %s before", who).isNull();
                    return response;
                }));
        rows.add(row("POST /api/billing/rerate", Expect.operators(200), who -> {
            String model = "matrix-rerate-" + java.util.UUID.randomUUID().toString().substring(0, 6);
            api.post("/agent/v1/usage").as(token(Who.AGENT_A)).json(Map.of("eventId", "rerate-" + model, "model",
                    model, "inputTokens", 1, "outputTokens", 1, "occurredAt", java.time.Instant.now().toString()))
                    .send().expect(201);
            api.post("/api/settings/models").as(platform.owner()).json(Map.of("model", model, "provider", "M",
                    "inputPricePerMillion", 1, "outputPricePerMillion", 1)).send().expect(201);
            Map<String, Object> body = Map.of("model", model, "from", "2020-01-01T00:00:00Z", "to",
                    "2199-01-01T00:00:00Z");
            Api.Response response = api.post("/api/billing/rerate").as(token(who)).json(body).send();
            int left = api.post("/api/billing/rerate").as(platform.owner()).json(body).send().expect(200).json()
                    .path("priced").asInt();
            assertThat(left).as("still unpriced after %s", who).isEqualTo(response.status() == 200 ? 0 : 1);
            return response;
        }));
        rows.add(row("POST /api/billing/close (a month not yet ended)", Expect.operators(409),
                who -> api.post("/api/billing/close").as(token(who)).json(Map.of("month",
                        java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString())).send()));
        // The owner closes three months ago, the admin two; the others try last month. Each
        // month has usage of agent A, so it lies after the first billable month.
        rows.add(row("POST /api/billing/close", Expect.operators(200), who -> {
            java.time.YearMonth month = java.time.YearMonth.now(java.time.ZoneOffset.UTC)
                    .minusMonths(who == Who.OWNER ? 3 : who == Who.ADMIN ? 2 : 1);
            api.post("/api/usage").as(platform.owner()).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1, 1,
                    0, month.atDay(10).atStartOfDay().toInstant(java.time.ZoneOffset.UTC)), agents.get(Where.A)))
                    .send().expect(201);
            Api.Response response = api.post("/api/billing/close").as(token(who))
                    .json(Map.of("month", month.toString())).send();
            boolean closed = api.get("/api/organizations/" + orgs.get(Where.A) + "/billing?month=" + month)
                    .as(platform.owner()).send().expect(200).json().path("closed").asBoolean();
            assertThat(closed).as("%s closed after %s asked", month, who).isEqualTo(response.status() == 200);
            return response;
        }));
        // An agent reports its own usage only: naming another org's agent is refused, and
        // nothing is stored for either agent.
        rows.add(row("POST /agent/v1/usage naming agent B", Expect.of(403, 403, 403, 403, 403, 400, 401), who -> {
            Map<String, Object> event = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now()),
                    agents.get(Where.B));
            Api.Response response = api.post("/agent/v1/usage").as(token(who)).json(event).send();
            Api.Response asB = api.post("/api/usage").as(platform.owner()).json(event).send().expect(201);
            Map<String, Object> ownEvent = new java.util.HashMap<>(event);
            ownEvent.remove("agentId");
            Api.Response asA = api.post("/agent/v1/usage").as(token(Who.AGENT_A)).json(ownEvent).send().expect(201);
            assertThat(asB.header("Idempotent-Replayed")).as("stored for agent B by %s", who).isNull();
            assertThat(asA.header("Idempotent-Replayed")).as("stored for agent A by %s", who).isNull();
            return response;
        }));
        rows.add(row("POST /agent/v1/usage", Expect.of(403, 403, 403, 403, 403, 201, 401),
                who -> api.post("/agent/v1/usage").as(token(who)).json(Map.of("eventId",
                        "matrix-" + java.util.UUID.randomUUID(), "model", "gpt-4o", "inputTokens", 1,
                        "outputTokens", 1, "occurredAt", java.time.Instant.now().toString())).send()));
        return rows.stream().flatMap(s -> s);
    }

    @Order(3)
    @TestFactory
    Stream<DynamicTest> settingsWrites() {
        Stream<DynamicTest> prices = row("POST /api/settings/models", Expect.operators(201), who -> {
            String model = "matrix-" + java.util.UUID.randomUUID().toString().substring(0, 8);
            Api.Response response = api.post("/api/settings/models").as(token(who)).json(Map.of("model", model,
                    "provider", "Matrix", "inputPricePerMillion", 1, "outputPricePerMillion", 2)).send();
            int history = api.get("/api/settings/models/" + model + "/history").as(platform.owner()).send().status();
            assertThat(history).isEqualTo(response.status() == 201 ? 200 : 404);
            return response;
        });
        Stream<DynamicTest> fx = row("PUT /api/settings/fx-rates", Expect.operators(200), who -> {
            // A month no other cell uses: a random one collided now and then with an earlier cell's.
            String month = (2100 + fxYears.getAndIncrement()) + "-07";
            Api.Response response = api.put("/api/settings/fx-rates").as(token(who))
                    .json(Map.of("currency", "CAD", "rate", "1.37", "effectiveFrom", month)).send();
            String table = api.get("/api/settings/fx-rates").as(platform.owner()).send().body();
            assertThat(table.contains("\"" + month + "\"")).isEqualTo(response.status() == 200);
            return response;
        });
        Stream<DynamicTest> setAlias = row("PUT /api/settings/model-aliases/{alias}", Expect.operators(200), who -> {
            String alias = "matrix-alias-" + java.util.UUID.randomUUID().toString().substring(0, 8);
            Api.Response response = api.put("/api/settings/model-aliases/" + alias).as(token(who))
                    .json(Map.of("model", "gpt-4o")).send();
            String list = api.get("/api/settings/model-aliases").as(platform.owner()).send().body();
            assertThat(list.contains("\"" + alias + "\"")).isEqualTo(response.status() == 200);
            return response;
        });
        Stream<DynamicTest> removeAlias = row("DELETE /api/settings/model-aliases/{alias}", Expect.operators(204),
                who -> {
                    String alias = "matrix-alias-" + java.util.UUID.randomUUID().toString().substring(0, 8);
                    api.put("/api/settings/model-aliases/" + alias).as(platform.owner())
                            .json(Map.of("model", "gpt-4o")).send().expect(200);
                    Api.Response response = api.delete("/api/settings/model-aliases/" + alias).as(token(who)).send();
                    String list = api.get("/api/settings/model-aliases").as(platform.owner()).send().body();
                    assertThat(list.contains("\"" + alias + "\"")).isEqualTo(response.status() != 204);
                    return response;
                });
        return Stream.of(prices, fx, setAlias, removeAlias).flatMap(s -> s);
    }

    @Order(4)
    @TestFactory
    Stream<DynamicTest> organizationWrites() {
        String orgB = orgs.get(Where.B);
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        rows.add(row("POST /api/organizations", Expect.operators(201), who -> {
            String name = Platform.unique("Created by " + who);
            Api.Response response = api.post("/api/organizations").as(token(who)).json(Map.of("name", name)).send();
            if (response.status() != 201) {
                assertThat(api.get("/api/organizations?q=" + name.replace(" ", "%20")).as(platform.owner()).send()
                        .items()).as("a refused create leaves no organization").isEmpty();
            }
            return response;
        }));
        rows.add(row("PATCH /api/organizations/{B}", Expect.operators(200), who -> {
            String marker = "changed by " + who;
            Api.Response response = api.patch("/api/organizations/" + orgB).as(token(who))
                    .json(Map.of("description", marker)).send();
            String now = api.get("/api/organizations/" + orgB).as(platform.owner()).send().text("description");
            assertThat(now.equals(marker)).as("description changed").isEqualTo(response.status() == 200);
            return response;
        }));
        rows.add(row("POST /api/organizations/{B}/toggle", Expect.operators(200), who -> {
            Api.Response response = api.post("/api/organizations/" + orgB + "/toggle").as(token(who)).send();
            boolean active = api.get("/api/organizations/" + orgB).as(platform.owner()).send().json().path("active")
                    .asBoolean();
            assertThat(active).as("active after toggle").isEqualTo(response.status() != 200);
            if (!active) {
                api.post("/api/organizations/" + orgB + "/toggle").as(platform.owner()).send().expect(200);
            }
            return response;
        }));
        rows.add(row("DELETE /api/organizations/{empty}", Expect.operators(204), who -> {
            String org = platform.createOrg("Doomed");
            Api.Response response = api.delete("/api/organizations/" + org).as(token(who)).send();
            int after = api.get("/api/organizations/" + org).as(platform.owner()).send().status();
            assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
            return response;
        }));
        return rows.stream().flatMap(s -> s);
    }

    @Order(5)
    @TestFactory
    Stream<DynamicTest> agentWrites() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("POST /api/agents in " + where, Expect.of(201, 201, 403, where == Where.A ? 403 : 403,
                    403, 403, 401), who -> {
                        String name = Platform.unique("Agent by " + who);
                        Api.Response response = api.post("/api/agents").org(org).as(token(who))
                                .json(Map.of("name", name)).send();
                        List<?> found = api.get("/api/agents?q=" + name.replace(" ", "%20")).as(platform.owner())
                                .send().items();
                        assertThat(found).hasSize(response.status() == 201 ? 1 : 0);
                        return response;
                    }));
            rows.add(row("PATCH /api/agents/{" + where + "}", Expect.operators(200), who -> {
                String agent = platform.createAgent(org, "Patch me");
                Api.Response response = api.patch("/api/agents/" + agent).as(token(who))
                        .json(Map.of("description", "Patched by " + who)).send();
                String description = api.get("/api/agents/" + agent).as(platform.owner()).send().text("description");
                assertThat(description).isEqualTo(response.status() == 200 ? "Patched by " + who : "");
                return response;
            }));
            // By hand, with a reason: operators, and users with the interventions page for the agent's org.
            rows.add(row("POST /api/agents/{" + where + "}/pause", Expect.readIn(where), who -> {
                String agent = platform.createAgent(org, "Pause me");
                Api.Response response = api.post("/api/agents/" + agent + "/pause").as(token(who))
                        .json(Map.of("reason", "Matrix")).send();
                String status = api.get("/api/agents/" + agent).as(platform.owner()).send().text("status");
                assertThat(status).isEqualTo(response.status() == 200 ? "paused" : "active");
                assertThat(api.get("/api/interventions?agentId=" + agent).org(org).as(platform.owner()).send()
                        .items()).hasSize(response.status() == 200 ? 1 : 0);
                return response;
            }));
            rows.add(row("POST /api/agents/{" + where + "}/resume", Expect.readIn(where), who -> {
                String agent = platform.createAgent(org, "Resume me");
                // Paused by the org's own user: a pause the operator holds is the operator's alone to lift.
                api.post("/api/agents/" + agent + "/pause").as(orgSupervisor(org)).json(Map.of("reason", "Matrix"))
                        .send().expect(200);
                Api.Response response = api.post("/api/agents/" + agent + "/resume").as(token(who))
                        .json(Map.of("reason", "Matrix")).send();
                String status = api.get("/api/agents/" + agent).as(platform.owner()).send().text("status");
                assertThat(status).isEqualTo(response.status() == 200 ? "active" : "paused");
                return response;
            }));
            rows.add(row("POST /api/agents/{" + where + "}/stop", Expect.readIn(where), who -> {
                String agent = platform.createAgent(org, "Stop me");
                String key = platform.issueKey(agent);
                Api.Response response = api.post("/api/agents/" + agent + "/stop").as(token(who))
                        .json(Map.of("reason", "Matrix")).send();
                assertThat(api.get("/agent/v1/me").as(key).send().status()).as("the key after a stop by %s", who)
                        .isEqualTo(response.status() == 200 ? 401 : 200);
                return response;
            }));
            rows.add(row("DELETE /api/agents/{" + where + "}", Expect.operators(204), who -> {
                String agent = platform.createAgent(org, "Delete me");
                Api.Response response = api.delete("/api/agents/" + agent).as(token(who)).send();
                int after = api.get("/api/agents/" + agent).as(platform.owner()).send().status();
                assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
                return response;
            }));
            String elsewhere = orgs.get(where == Where.A ? Where.B : Where.A);
            rows.add(row("POST /api/agents/{" + where + "}/assign-org", Expect.operators(200), who -> {
                String agent = platform.createAgent(org, "Move me");
                Api.Response response = api.post("/api/agents/" + agent + "/assign-org").as(token(who))
                        .json(Map.of("orgId", elsewhere)).send();
                String now = api.get("/api/agents/" + agent).as(platform.owner()).send().text("clientOrgId");
                assertThat(now).isEqualTo(response.status() == 200 ? elsewhere : org);
                return response;
            }));
            rows.add(row("POST /api/agents/{" + where + "}/unassign-org", Expect.operators(200), who -> {
                String agent = platform.createAgent(org, "Unassign me");
                Api.Response response = api.post("/api/agents/" + agent + "/unassign-org").as(token(who)).send();
                String now = api.get("/api/agents/" + agent).as(platform.owner()).send().text("clientOrgId");
                assertThat(now).isEqualTo(response.status() == 200 ? DefaultOrg.ID.toString() : org);
                return response;
            }));
            String agent = agents.get(where);
            rows.add(row("POST /api/agents/{" + where + "}/keys", Expect.operators(201), who -> {
                int before = api.get("/api/agents/" + agent + "/keys").as(platform.owner()).send().items().size();
                Api.Response response = api.post("/api/agents/" + agent + "/keys").as(token(who)).send();
                int after = api.get("/api/agents/" + agent + "/keys").as(platform.owner()).send().items().size();
                assertThat(after - before).isEqualTo(response.status() == 201 ? 1 : 0);
                return response;
            }));
            rows.add(row("DELETE /api/agents/{" + where + "}/keys/{key}", Expect.operators(204), who -> {
                Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(platform.owner()).send()
                        .expect(201);
                Api.Response response = api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(token(who))
                        .send();
                int agentCall = api.get("/agent/v1/me").as(issued.text("key")).send().status();
                assertThat(agentCall).isEqualTo(response.status() == 204 ? 401 : 200);
                return response;
            }));
        }
        return rows.stream().flatMap(s -> s);
    }

    @Order(6)
    @TestFactory
    Stream<DynamicTest> userWrites() {
        String orgB = orgs.get(Where.B);
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        rows.add(row("POST /api/users bound to B", Expect.operators(201), who -> {
            String email = "new-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
            Api.Response response = api.post("/api/users").as(token(who)).json(Map.of("email", email, "name",
                    "New", "password", Platform.PASSWORD, "role", "user", "clientOrgId", orgB)).send();
            int login = api.post("/api/auth/login").json(Map.of("email", email, "password", Platform.PASSWORD))
                    .send().status();
            assertThat(login).isEqualTo(response.status() == 201 ? 200 : 401);
            return response;
        }));
        rows.add(row("PATCH /api/users/{B}", Expect.operators(200), who -> {
            String user = platform.userId(platform.createUser("user", orgB, List.of("agents")));
            Api.Response response = api.patch("/api/users/" + user).as(token(who)).json(Map.of("name", "Renamed"))
                    .send();
            String name = api.get("/api/users/" + user).as(platform.owner()).send().text("name");
            assertThat(name.equals("Renamed")).isEqualTo(response.status() == 200);
            return response;
        }));
        rows.add(row("PUT /api/users/{B}/permissions", Expect.operators(200), who -> {
            String user = platform.userId(platform.createUser("user", orgB, List.of("agents")));
            Api.Response response = api.put("/api/users/" + user + "/permissions").as(token(who))
                    .json(Map.of("pages", Platform.ALL_PAGES, "clientOrgId", orgs.get(Where.A))).send();
            String bound = api.get("/api/users/" + user).as(platform.owner()).send().text("clientOrgId");
            assertThat(bound).isEqualTo(response.status() == 200 ? orgs.get(Where.A) : orgB);
            return response;
        }));
        rows.add(row("DELETE /api/users/{B}", Expect.operators(204), who -> {
            String user = platform.userId(platform.createUser("user", orgB, List.of("agents")));
            Api.Response response = api.delete("/api/users/" + user).as(token(who)).send();
            int after = api.get("/api/users/" + user).as(platform.owner()).send().status();
            assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
            return response;
        }));
        return rows.stream().flatMap(s -> s);
    }

    @Order(7)
    @TestFactory
    Stream<DynamicTest> policyWrites() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("POST /api/policies with X-Org-Id " + where, Expect.of(201, 201, 201,
                    where == Where.A ? 201 : 403, where == Where.B ? 201 : 403, 403, 401), who -> {
                        long before = api.get("/api/policies?limit=500").org(org).as(platform.owner()).send()
                                .items().size();
                        Api.Response response = newPolicy(where, token(who));
                        long after = api.get("/api/policies?limit=500").org(org).as(platform.owner()).send()
                                .items().size();
                        assertThat(after).isEqualTo(before + (response.status() == 201 ? 1 : 0));
                        return response;
                    }));
            Expect changeIn = Expect.of(200, 200, 200, where == Where.A ? 200 : 404, where == Where.B ? 200 : 404,
                    403, 401);
            rows.add(row("PATCH /api/policies/{" + where + "}", changeIn, who -> {
                String policy = newPolicy(where, platform.owner()).expect(201).id();
                Api.Response response = api.patch("/api/policies/" + policy).as(token(who))
                        .json(Map.of("content", "# Changed by " + who)).send();
                int version = api.get("/api/policies/" + policy).as(platform.owner()).send().json().path("version")
                        .asInt();
                assertThat(version).isEqualTo(response.status() == 200 ? 2 : 1);
                return response;
            }));
            rows.add(row("DELETE /api/policies/{" + where + "}", Expect.of(204, 204, 204,
                    where == Where.A ? 204 : 404, where == Where.B ? 204 : 404, 403, 401), who -> {
                        String policy = newPolicy(where, platform.owner()).expect(201).id();
                        Api.Response response = api.delete("/api/policies/" + policy).as(token(who)).send();
                        int after = api.get("/api/policies/" + policy).as(platform.owner()).send().status();
                        assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
                        return response;
                    }));
        }
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("POST /api/guardrails/rules with X-Org-Id " + where, Expect.of(201, 201, 201,
                    where == Where.A ? 201 : 403, where == Where.B ? 201 : 403, 403, 401), who -> {
                        long before = rulesOf(org).size();
                        Api.Response response = newRule(where, token(who));
                        assertThat(rulesOf(org)).hasSize((int) before + (response.status() == 201 ? 1 : 0));
                        return response;
                    }));
            Expect changeIn = Expect.of(200, 200, 200, where == Where.A ? 200 : 404, where == Where.B ? 200 : 404,
                    403, 401);
            rows.add(row("PATCH /api/guardrails/rules/{" + where + "}", changeIn, who -> {
                String rule = newRule(where, platform.owner()).expect(201).id();
                Api.Response response = api.patch("/api/guardrails/rules/" + rule).as(token(who))
                        .json(Map.of("mode", "shadow")).send();
                String mode = api.get("/api/guardrails/rules/" + rule).as(platform.owner()).send().text("mode");
                assertThat(mode).isEqualTo(response.status() == 200 ? "shadow" : "enforce");
                return response;
            }));
            rows.add(row("DELETE /api/guardrails/rules/{" + where + "}", Expect.of(204, 204, 204,
                    where == Where.A ? 204 : 404, where == Where.B ? 204 : 404, 403, 401), who -> {
                        String rule = newRule(where, platform.owner()).expect(201).id();
                        Api.Response response = api.delete("/api/guardrails/rules/" + rule).as(token(who)).send();
                        int after = api.get("/api/guardrails/rules/" + rule).as(platform.owner()).send().status();
                        assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
                        return response;
                    }));
        }
        // The platform baseline: owners alone change it; a client org's users cannot even see it as a rule.
        rows.add(row("PATCH /api/guardrails/rules/{baseline}", Expect.of(200, 403, 403, 404, 404, 403, 401), who -> {
            String rule = newBaselineRule();
            Api.Response response = api.patch("/api/guardrails/rules/" + rule).as(token(who))
                    .json(Map.of("enabled", false)).send();
            List<String> baseline = api.get("/api/guardrails/baseline?limit=500").as(platform.owner()).send()
                    .expect(200).itemIds();
            assertThat(baseline.contains(rule)).isEqualTo(response.status() != 200);
            api.delete("/api/guardrails/rules/" + rule).as(platform.owner()).send().expect(204);
            return response;
        }));
        rows.add(row("POST /api/guardrails/rules baseline with X-Org-Id DEFAULT", Expect.of(201, 403, 403, 403, 403,
                403, 401), who -> {
                    long before = rulesOf(orgs.get(Where.DEFAULT)).size();
                    Api.Response response = api.post("/api/guardrails/rules").org(orgs.get(Where.DEFAULT))
                            .as(token(who)).json(Map.of("name", Platform.unique("Baseline"), "type", "keyword",
                                    "action", "flag", "keywords", List.of("matrixbaselineword"), "baseline", true))
                            .send();
                    assertThat(rulesOf(orgs.get(Where.DEFAULT))).hasSize((int) before
                            + (response.status() == 201 ? 1 : 0));
                    if (response.status() == 201) {
                        api.delete("/api/guardrails/rules/" + response.id()).as(platform.owner()).send().expect(204);
                    }
                    return response;
                }));
        // A policy of A may name only A's agents, whoever asks: B's agent is refused, and nothing changes.
        rows.add(row("PATCH /api/policies/{A} naming B's agent", Expect.of(400, 400, 400, 400, 404, 403, 401), who -> {
            String policy = newPolicy(Where.A, platform.owner()).expect(201).id();
            Api.Response response = api.patch("/api/policies/" + policy).as(token(who))
                    .json(Map.of("appliesTo", List.of(agents.get(Where.B)))).send();
            assertThat(api.get("/api/policies/" + policy).as(platform.owner()).send().json().path("appliesTo")
                    .toString()).isEqualTo("[\"" + agents.get(Where.A) + "\"]");
            return response;
        }));
        return rows.stream().flatMap(s -> s);
    }

    @Order(8)
    @TestFactory
    Stream<DynamicTest> knowledgeWrites() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("POST /api/knowledge/documents with X-Org-Id " + where, Expect.of(201, 201, 201,
                    where == Where.A ? 201 : 403, where == Where.B ? 201 : 403, 403, 401), who -> {
                        int before = api.get("/api/knowledge/documents?limit=500").org(org).as(platform.owner())
                                .send().items().size();
                        Api.Response response = newDocument(where, token(who), false);
                        int after = api.get("/api/knowledge/documents?limit=500").org(org).as(platform.owner())
                                .send().items().size();
                        assertThat(after).isEqualTo(before + (response.status() == 201 ? 1 : 0));
                        return response;
                    }));
            rows.add(row("POST /api/knowledge/documents/upload with X-Org-Id " + where, Expect.of(201, 201, 201,
                    where == Where.A ? 201 : 403, where == Where.B ? 201 : 403, 403, 401), who -> {
                        int before = api.get("/api/knowledge/documents?limit=500").org(org).as(platform.owner())
                                .send().items().size();
                        Api.Response response = api.post("/api/knowledge/documents/upload").org(org).as(token(who))
                                .file("notes.md", "Uploaded matrixknowledge.".getBytes(
                                        java.nio.charset.StandardCharsets.UTF_8), Map.of()).send();
                        int after = api.get("/api/knowledge/documents?limit=500").org(org).as(platform.owner())
                                .send().items().size();
                        assertThat(after).isEqualTo(before + (response.status() == 201 ? 1 : 0));
                        return response;
                    }));
            Expect changeIn = Expect.of(200, 200, 200, where == Where.A ? 200 : 404, where == Where.B ? 200 : 404,
                    403, 401);
            rows.add(row("PATCH /api/knowledge/documents/{" + where + "}", changeIn, who -> {
                String document = newDocument(where, platform.owner(), false).expect(201).id();
                Api.Response response = api.patch("/api/knowledge/documents/" + document).as(token(who))
                        .json(Map.of("content", "Changed by " + who)).send();
                int version = api.get("/api/knowledge/documents/" + document).as(platform.owner()).send().json()
                        .path("version").asInt();
                assertThat(version).isEqualTo(response.status() == 200 ? 2 : 1);
                return response;
            }));
            rows.add(row("DELETE /api/knowledge/documents/{" + where + "}", Expect.of(204, 204, 204,
                    where == Where.A ? 204 : 404, where == Where.B ? 204 : 404, 403, 401), who -> {
                        String document = newDocument(where, platform.owner(), false).expect(201).id();
                        Api.Response response = api.delete("/api/knowledge/documents/" + document).as(token(who))
                                .send();
                        int after = api.get("/api/knowledge/documents/" + document).as(platform.owner()).send()
                                .status();
                        assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
                        return response;
                    }));
        }
        // Client users read shared documents, so refused a change they are told it is read-only (403), not missing.
        rows.add(row("PATCH /api/knowledge/documents/{shared}", Expect.of(200, 200, 403, 403, 403, 403, 401), who -> {
            Api.Response response = api.patch("/api/knowledge/documents/" + sharedDocument).as(token(who))
                    .json(Map.of("title", Platform.unique("Shared by " + who))).send();
            String title = api.get("/api/knowledge/documents/" + sharedDocument).as(platform.owner()).send()
                    .text("title");
            assertThat(title.startsWith("Shared by " + who)).isEqualTo(response.status() == 200);
            return response;
        }));
        rows.add(row("POST /api/knowledge/reindex", Expect.of(202, 403, 403, 403, 403, 403, 401),
                who -> api.post("/api/knowledge/reindex").as(token(who)).send(),
                (who, r) -> assertThat(r.text("state")).isIn("running", "done")));
        return rows.stream().flatMap(s -> s);
    }

    @Order(9)
    @TestFactory
    Stream<DynamicTest> memoryWrites() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        for (Where where : Where.values()) {
            String agent = agents.get(where);
            rows.add(row("POST /api/agents/{" + where + "}/memory", Expect.of(201, 201, 201,
                    where == Where.A ? 201 : 404, where == Where.B ? 201 : 404, 403, 401), who -> {
                        int before = memoryCount(where);
                        Api.Response response = newMemory(where, token(who));
                        assertThat(memoryCount(where)).isEqualTo(before + (response.status() == 201 ? 1 : 0));
                        return response;
                    }));
            Expect changeIn = Expect.of(200, 200, 200, where == Where.A ? 200 : 404, where == Where.B ? 200 : 404,
                    403, 401);
            rows.add(row("PATCH /api/agents/{" + where + "}/memory/{" + where + "}", changeIn, who -> {
                String entry = newMemory(where, platform.owner()).expect(201).id();
                Api.Response response = api.patch("/api/agents/" + agent + "/memory/" + entry).as(token(who))
                        .json(Map.of("title", "Changed by " + who)).send();
                String title = api.get("/api/agents/" + agent + "/memory/" + entry).as(platform.owner()).send()
                        .text("title");
                assertThat(title.equals("Changed by " + who)).isEqualTo(response.status() == 200);
                return response;
            }));
            rows.add(row("DELETE /api/agents/{" + where + "}/memory/{" + where + "}", Expect.of(204, 204, 204,
                    where == Where.A ? 204 : 404, where == Where.B ? 204 : 404, 403, 401), who -> {
                        String entry = newMemory(where, platform.owner()).expect(201).id();
                        Api.Response response = api.delete("/api/agents/" + agent + "/memory/" + entry)
                                .as(token(who)).send();
                        int after = api.get("/api/agents/" + agent + "/memory/" + entry).as(platform.owner())
                                .send().status();
                        assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
                        return response;
                    }));
            Expect agentOnly = Expect.of(403, 403, 403, 403, 403, where == Where.A ? 200 : 404, 401);
            rows.add(row("PATCH /agent/v1/memory/{" + where + "}", agentOnly, who -> {
                String entry = newMemory(where, platform.owner()).expect(201).id();
                Api.Response response = api.patch("/agent/v1/memory/" + entry).as(token(who))
                        .json(Map.of("title", "Changed by " + who)).send();
                String title = api.get("/api/agents/" + agent + "/memory/" + entry).as(platform.owner()).send()
                        .text("title");
                assertThat(title.equals("Changed by " + who)).isEqualTo(response.status() == 200);
                return response;
            }));
            rows.add(row("DELETE /agent/v1/memory/{" + where + "}", Expect.of(403, 403, 403, 403, 403,
                    where == Where.A ? 204 : 404, 401), who -> {
                        String entry = newMemory(where, platform.owner()).expect(201).id();
                        Api.Response response = api.delete("/agent/v1/memory/" + entry).as(token(who)).send();
                        int after = api.get("/api/agents/" + agent + "/memory/" + entry).as(platform.owner())
                                .send().status();
                        assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
                        return response;
                    }));
        }
        rows.add(row("POST /agent/v1/memory", Expect.of(403, 403, 403, 403, 403, 201, 401), who -> {
            Map<Where, Integer> before = new EnumMap<>(Where.class);
            for (Where where : Where.values()) {
                before.put(where, memoryCount(where));
            }
            Api.Response response = api.post("/agent/v1/memory").as(token(who)).json(Map.of("category", "context",
                    "title", Platform.unique("By " + who), "content", "matrixmemory")).send();
            for (Where where : Where.values()) {
                int added = response.status() == 201 && where == Where.A ? 1 : 0;
                assertThat(memoryCount(where)).as("%s's agent", where).isEqualTo(before.get(where) + added);
            }
            return response;
        }, (who, r) -> assertThat(r.text("agentId")).isEqualTo(agents.get(Where.A))));
        return rows.stream().flatMap(s -> s);
    }

    @Order(10)
    @TestFactory
    Stream<DynamicTest> credentialWrites() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("POST /api/credentials with X-Org-Id " + where, Expect.of(201, 201, 201,
                    where == Where.A ? 201 : 403, where == Where.B ? 201 : 403, 403, 401), who -> {
                        int before = api.get("/api/credentials?limit=500").org(org).as(platform.owner()).send()
                                .items().size();
                        Api.Response response = newCredential(where, token(who));
                        int after = api.get("/api/credentials?limit=500").org(org).as(platform.owner()).send()
                                .items().size();
                        assertThat(after).isEqualTo(before + (response.status() == 201 ? 1 : 0));
                        return response;
                    }, (who, r) -> assertThat(r.body()).doesNotContain("matrix-value-")));
            Expect changeIn = Expect.of(200, 200, 200, where == Where.A ? 200 : 404, where == Where.B ? 200 : 404,
                    403, 401);
            rows.add(row("PATCH /api/credentials/{" + where + "}", changeIn, who -> {
                String credential = newCredential(where, platform.owner()).expect(201).id();
                Api.Response response = api.patch("/api/credentials/" + credential).as(token(who))
                        .json(Map.of("description", "Changed by " + who)).send();
                String description = api.get("/api/credentials/" + credential).as(platform.owner()).send()
                        .text("description");
                assertThat(("Changed by " + who).equals(description)).isEqualTo(response.status() == 200);
                return response;
            }));
            rows.add(row("POST /api/credentials/{" + where + "}/rotate", changeIn, who -> {
                String credential = newCredential(where, platform.owner()).expect(201).id();
                Api.Response response = api.post("/api/credentials/" + credential + "/rotate").as(token(who))
                        .json(Map.of("value", "rotated-by-" + who)).send();
                int version = api.get("/api/credentials/" + credential).as(platform.owner()).send().json()
                        .path("version").asInt();
                assertThat(version).isEqualTo(response.status() == 200 ? 2 : 1);
                return response;
            }, (who, r) -> assertThat(r.body()).doesNotContain("rotated-by-")));
            rows.add(row("DELETE /api/credentials/{" + where + "}", Expect.of(204, 204, 204,
                    where == Where.A ? 204 : 404, where == Where.B ? 204 : 404, 403, 401), who -> {
                        String credential = newCredential(where, platform.owner()).expect(201).id();
                        Api.Response response = api.delete("/api/credentials/" + credential).as(token(who)).send();
                        int after = api.get("/api/credentials/" + credential).as(platform.owner()).send().status();
                        assertThat(after).isEqualTo(response.status() == 204 ? 404 : 200);
                        return response;
                    }));
        }
        rows.add(row("POST /api/credentials/rotate-master-key", Expect.of(202, 403, 403, 403, 403, 403, 401), who -> {
            String before = api.get("/api/credentials/rotate-master-key").as(platform.owner()).send()
                    .text("masterKeyId");
            Api.Response response = api.post("/api/credentials/rotate-master-key").as(token(who)).send();
            String after = api.get("/api/credentials/rotate-master-key").as(platform.owner()).send()
                    .text("masterKeyId");
            assertThat(after.equals(before)).isEqualTo(response.status() != 202);
            return response;
        }));
        return rows.stream().flatMap(s -> s);
    }

    @Order(11)
    @TestFactory
    Stream<DynamicTest> gatewayWrites() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        for (Where where : Where.values()) {
            String org = orgs.get(where);
            rows.add(row("PATCH /api/gateway/settings with X-Org-Id " + where, Expect.of(200, 200, 403, 403, 403, 403,
                    401), who -> {
                        Api.Response response = api.patch("/api/gateway/settings").org(org).as(token(who))
                                .json(Map.of("allowedModels", List.of("changed-by-" + who.name().toLowerCase()))).send();
                        String allowed = api.get("/api/gateway/settings").org(org).as(platform.owner()).send().json()
                                .path("allowedModels").toString();
                        assertThat(allowed.contains("changed-by-" + who.name().toLowerCase()))
                                .isEqualTo(response.status() == 200);
                        api.patch("/api/gateway/settings").org(org).as(platform.owner())
                                .json(java.util.Collections.singletonMap("allowedModels", null)).send().expect(200);
                        return response;
                    }));
        }
        rows.add(row("POST /api/settings/providers", Expect.operators(201), who -> api.post("/api/settings/providers")
                .as(token(who)).json(Map.of("name", "matrix-new-" + java.util.UUID.randomUUID().toString()
                        .substring(0, 8), "baseUrl", "http://127.0.0.1:9/v1")).send()));
        rows.add(row("PUT /api/settings/providers/{id}", Expect.operators(200), who -> {
            String id = newGatewayProvider();
            String name = "matrix-put-" + java.util.UUID.randomUUID().toString().substring(0, 8);
            Api.Response response = api.put("/api/settings/providers/" + id).as(token(who)).json(Map.of("name", name,
                    "baseUrl", "http://127.0.0.1:9/v1")).send();
            assertThat(api.get("/api/settings/providers/" + id).as(platform.owner()).send().text("name")
                    .equals(name)).isEqualTo(response.status() == 200);
            return response;
        }));
        rows.add(row("DELETE /api/settings/providers/{id}", Expect.operators(204), who -> {
            String id = newGatewayProvider();
            Api.Response response = api.delete("/api/settings/providers/" + id).as(token(who)).send();
            assertThat(api.get("/api/settings/providers/" + id).as(platform.owner()).send().status())
                    .isEqualTo(response.status() == 204 ? 404 : 200);
            return response;
        }));
        rows.add(row("POST /api/settings/routes", Expect.operators(201), who -> {
            String name = api.get("/api/settings/providers/" + gatewayProvider).as(platform.owner()).send()
                    .text("name");
            return api.post("/api/settings/routes").as(token(who)).json(Map.of("model", "matrix-new-"
                    + java.util.UUID.randomUUID().toString().substring(0, 8), "targets", List.of(Map.of("provider",
                            name, "model", "nowhere")))).send();
        }));
        rows.add(row("PUT /api/settings/routes/{id}", Expect.operators(200), who -> {
            String id = newGatewayRoute("matrix-put");
            String name = api.get("/api/settings/providers/" + gatewayProvider).as(platform.owner()).send()
                    .text("name");
            Api.Response response = api.put("/api/settings/routes/" + id).as(token(who)).json(Map.of("model",
                    "matrix-changed-" + java.util.UUID.randomUUID().toString().substring(0, 8), "targets",
                    List.of(Map.of("provider", name, "model", "elsewhere")))).send();
            assertThat(api.get("/api/settings/routes/" + id).as(platform.owner()).send().body().contains("elsewhere"))
                    .isEqualTo(response.status() == 200);
            return response;
        }));
        rows.add(row("DELETE /api/settings/routes/{id}", Expect.operators(204), who -> {
            String id = newGatewayRoute("matrix-delete");
            Api.Response response = api.delete("/api/settings/routes/" + id).as(token(who)).send();
            assertThat(api.get("/api/settings/routes/" + id).as(platform.owner()).send().status())
                    .isEqualTo(response.status() == 204 ? 404 : 200);
            return response;
        }));
        return rows.stream().flatMap(s -> s);
    }

    @Order(50)
    @TestFactory
    Stream<DynamicTest> identity() {
        List<Stream<DynamicTest>> rows = new ArrayList<>();
        rows.add(row("POST /api/setup (already set up)", Expect.of(409, 409, 409, 409, 409, 409, 409), who -> {
            String email = "second-owner-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";
            Api.Response response = api.post("/api/setup").as(token(who)).json(Map.of("email", email, "name", "Second",
                    "password", Platform.PASSWORD)).send();
            int login = api.post("/api/auth/login").json(Map.of("email", email, "password", Platform.PASSWORD)).send()
                    .status();
            assertThat(login).as("no second owner was made by %s", who).isEqualTo(401);
            return response;
        }));
        rows.add(row("POST /api/auth/login (a wrong password of B's user)", Expect.of(401, 401, 401, 401, 401, 401,
                401), who -> {
            String requestId = "matrix-login-" + java.util.UUID.randomUUID();
            // Each principal guesses from an address of its own: from one, the throttle stops guess five.
            Api.Response response = api.from("192.0.2." + (100 + who.ordinal())).post("/api/auth/login")
                    .as(token(who)).header("X-Request-Id", requestId)
                    .json(Map.of("email", emails.get(Who.USER_B), "password", "not the password")).send();
            assertThat(auditedIn(Where.B, requestId)).as("the failure is on B's record").isTrue();
            assertThat(auditedIn(Where.A, requestId)).as("and on nobody else's").isFalse();
            return response;
        }));
        rows.add(row("POST /api/auth/logout", Expect.of(204, 204, 204, 204, 204, 204, 204), who -> {
            String session = emails.containsKey(who) ? Platform.login(api, emails.get(who), Platform.PASSWORD)
                    : token(who);
            Api.Response response = api.post("/api/auth/logout").as(session).send();
            if (emails.containsKey(who)) {
                assertThat(api.get("/api/me").as(session).send().status()).as("the session just ended").isEqualTo(401);
                assertThat(api.get("/api/me").as(token(who)).send().status()).as("another session of %s", who)
                        .isEqualTo(200);
            } else if (who == Who.AGENT_A) {
                assertThat(api.get("/agent/v1/me").as(session).send().status()).as("an agent key is no session")
                        .isEqualTo(200);
            }
            return response;
        }));
        return rows.stream().flatMap(s -> s);
    }

    boolean auditedIn(Where where, String requestId) {
        return api.get("/api/audit?action=auth.login_failed&limit=500").org(orgs.get(where)).as(platform.owner())
                .send().expect(200).items().stream().anyMatch(e -> requestId.equals(e.path("requestId").asString()));
    }

    /** Runs last: every route the server registers was called by some cell, or is on the reviewed list. */
    @Order(100)
    @Test
    void everyRouteTheServerRegistersIsInTheMatrix() {
        List<String> missing = new ArrayList<>();
        routes.getHandlerMethods().keySet().forEach(info -> {
            Set<String> methods = info.getMethodsCondition().getMethods().isEmpty() ? Set.of("GET")
                    : info.getMethodsCondition().getMethods().stream().map(Enum::name)
                            .collect(java.util.stream.Collectors.toSet());
            for (PathPattern pattern : info.getPathPatternsCondition().getPatterns()) {
                if (OUTSIDE_THE_MATRIX.contains(pattern.getPatternString())) {
                    continue;
                }
                for (String method : methods) {
                    boolean called = exercised.stream().anyMatch(request -> request.startsWith(method + " ")
                            && pattern.matches(PathContainer.parsePath(request.substring(method.length() + 1)
                                    .split("\\?")[0])));
                    if (!called) {
                        missing.add(method + " " + pattern.getPatternString());
                    }
                }
            }
        });
        assertThat(exercised).as("the cells ran first").isNotEmpty();
        assertThat(missing).as("routes no cell of the matrix calls").isEmpty();
    }
}
