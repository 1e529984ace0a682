package io.tenantry;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import tools.jackson.databind.JsonNode;

import io.tenantry.gateway.FakeUpstream;
import io.tenantry.support.Api;
import io.tenantry.support.MonthEdge;
import io.tenantry.support.Platform;
import io.tenantry.support.PostgresOnly;
import io.tenantry.support.ServerProcess;
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.DefaultOrg;

/**
 * An operator outgrowing one server runs several behind a load balancer on one PostgreSQL.
 * Two real server processes share one database here: what one node does, the other sees at
 * once (sessions, permissions, sign-in throttles, usage), and the periodic jobs (month-end
 * closing, budget checks, the session sweep; every second here) run once per period across
 * both, with no alert or statement made twice.
 */
@PostgresOnly("nodes share a database only on PostgreSQL; the embedded H2 lives inside one process")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoNodesTest {

    private static final String OWNER_EMAIL = "two-nodes@tenantry.test";
    private static final String PASSWORD = "two nodes owner password";
    private static final Pattern JOB_COUNTER = Pattern.compile(
            "^tenantry_jobs_total\\{([^}]*)\\} ([0-9.E]+)$", Pattern.MULTILINE);

    Map<String, String> database;
    /** Every node of a cluster is given the same master key (a key file would differ per node). */
    static final String MASTER_KEY = "Ak3UwuNL79ENEIj1aYoWtGe+FhAjerkFXb+iw+mXQtE=";
    ServerProcess one;
    ServerProcess two;
    String owner;

    @BeforeAll
    void twoNodesOnOneDatabase() throws Exception {
        MonthEdge.awayFromMidnight();
        database = ServerProcess.freshDatabase();
        Map<String, String> settings = Map.of("TENANTRY_OWNER_EMAIL", OWNER_EMAIL, "TENANTRY_OWNER_PASSWORD", PASSWORD,
                "TENANTRY_TRUSTED_PROXIES", "127.0.0.1/32", "TENANTRY_BUDGET_CHECK_INTERVAL", "PT1S",
                "TENANTRY_BILLING_CLOSE_CHECK_INTERVAL", "PT1S", "TENANTRY_BILLING_CLOSE_AFTER_DAYS", "0",
                "TENANTRY_SESSION_SWEEP_INTERVAL", "PT1S", "TENANTRY_MASTER_KEY", MASTER_KEY);
        one = ServerProcess.on(database, settings).start();
        two = ServerProcess.on(database, settings).start();
        owner = Platform.login(one.api(), OWNER_EMAIL, PASSWORD);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (one != null) {
            one.close();
        }
        if (two != null) {
            two.close();
        }
    }

    @Test
    void aCredentialStoredOnOneNodeIsReadOnTheOtherAndRotatedThere() {
        String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Vault on two nodes")).send()
                .expect(201).id();
        String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Two-node agent")).send()
                .expect(201).id();
        String key = one.api().post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
        String id = one.api().post("/api/credentials").org(org).as(owner).json(Map.of("name", "TWO_NODES", "kind",
                "api_key", "value", "first-value")).send().expect(201).id();

        assertThat(two.api().get("/agent/v1/credentials/TWO_NODES").as(key).send().expect(200).text("value"))
                .isEqualTo("first-value");
        two.api().post("/api/credentials/" + id + "/rotate").as(owner).json(Map.of("value", "second-value")).send()
                .expect(200);
        JsonNode read = one.api().get("/agent/v1/credentials/TWO_NODES").as(key).send().expect(200).json();
        assertThat(read.path("value").asString()).isEqualTo("second-value");
        assertThat(read.path("previous").path("value").asString()).isEqualTo("first-value");
        assertThat(one.api().get("/api/credentials/" + id + "/reads").as(owner).send().expect(200).items()).hasSize(2);
    }

    @Test
    void aSessionMadeOnOneNodeWorksOnTheOtherAndEndsOnBoth() {
        String token = Platform.login(one.api(), OWNER_EMAIL, PASSWORD);

        assertThat(two.api().get("/api/me").as(token).send().expect(200).text("email")).isEqualTo(OWNER_EMAIL);
        two.api().post("/api/auth/logout").as(token).send().expect(204);
        one.api().get("/api/me").as(token).send().expect(401);
    }

    @Test
    void aPermissionChangeOnOneNodeAppliesOnTheOthersNextRequest() {
        String email = "perm-" + System.nanoTime() + "@tenantry.test";
        String id = one.api().post("/api/users").as(owner).json(Map.of("email", email, "name", "Moving target",
                "password", Platform.PASSWORD, "pages", List.of("agents"))).send().expect(201).id();
        String token = Platform.login(two.api(), email, Platform.PASSWORD);
        two.api().get("/api/agents").as(token).send().expect(200);

        one.api().put("/api/users/" + id + "/permissions").as(owner).json(Platform.unbound(Map.of("pages", List.of("audit")))).send()
                .expect(200);

        two.api().get("/api/agents").as(token).send().expect(403);
        two.api().get("/api/audit").as(token).send().expect(200);
    }

    /** The agent list takes a session principal kept up to half a minute: the other node's change still applies at once. */
    @Test
    void aUserReboundOrSignedOutOnOneNodeIsDecidedAnewOnTheOthersNextList() {
        String first = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Kept on two, first"))
                .send().expect(201).id();
        String second = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Kept on two, second"))
                .send().expect(201).id();
        one.api().post("/api/agents").as(owner).org(first).json(Map.of("name", "First's")).send().expect(201);
        one.api().post("/api/agents").as(owner).org(second).json(Map.of("name", "Second's")).send().expect(201);
        String email = "kept-" + System.nanoTime() + "@tenantry.test";
        String id = one.api().post("/api/users").as(owner).json(Map.of("email", email, "name", "Rebound",
                "password", Platform.PASSWORD, "role", "user", "clientOrgId", first, "pages", List.of("agents")))
                .send().expect(201).id();
        String token = Platform.login(two.api(), email, Platform.PASSWORD);
        assertThat(two.api().get("/api/agents").as(token).send().expect(200).items())
                .extracting(agent -> agent.get("name").asString()).containsExactly("First's");

        one.api().put("/api/users/" + id + "/permissions").as(owner).json(Map.of("clientOrgId", second, "pages",
                List.of("agents"))).send().expect(200);
        assertThat(two.api().get("/api/agents").as(token).send().expect(200).items())
                .extracting(agent -> agent.get("name").asString()).containsExactly("Second's");

        one.api().post("/api/auth/logout").as(token).send().expect(204);
        two.api().get("/api/agents").as(token).send().expect(401);
    }

    @Test
    void signInThrottlingCountsAcrossBothNodes() {
        String email = "guessed-" + System.nanoTime() + "@tenantry.test";
        one.api().post("/api/users").as(owner).json(Map.of("email", email, "name", "Guessed", "password",
                Platform.PASSWORD)).send().expect(201);
        Api fromOne = one.api().from("192.0.2.201");
        Api fromTwo = two.api().from("192.0.2.201");
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Api node = i % 2 == 0 ? fromOne : fromTwo;
            statuses.add(node.post("/api/auth/login").json(Map.of("email", email, "password", "guess " + i)).send()
                    .status());
        }

        assertThat(statuses).containsExactly(401, 401, 401, 401, 401, 429);
        assertThat(fromOne.post("/api/auth/login").json(Map.of("email", email, "password", Platform.PASSWORD))
                .send().status()).as("the right password from that address, on the other node").isEqualTo(429);
    }

    /** Node two remembers the key's principal for usage reports; the store checks it against the database. */
    @Test
    void anAgentKeyRevokedOnOneNodeStopsUsageReportsOnTheOthersNextRequest() {
        String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Two-node revocation"))
                .send().expect(201).id();
        String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Revoked on one"))
                .send().expect(201).id();
        Api.Response issued = one.api().post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        two.api().post("/agent/v1/usage").as(key).json(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now())).send()
                .expect(201);

        one.api().delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);

        two.api().post("/agent/v1/usage").as(key).json(UsageEvents.event("gpt-4o", 2, 2, 0, Instant.now())).send()
                .expect(401);
        assertThat(one.api().get("/api/organizations/" + org + "/billing-summary?months=1").as(owner).send()
                .json().path("items").path(0).path("inputTokens").asLong()).as("only the report made before the revocation")
                .isEqualTo(1);
    }

    /** Node two keeps the key's principal for credential reads and checks; each confirms it against the database. */
    @Test
    void anAgentKeyRevokedOnOneNodeStopsCredentialReadsAndChecksOnTheOthersNextRequest() {
        String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Two-node revoked reader"))
                .send().expect(201).id();
        String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Reader revoked on one"))
                .send().expect(201).id();
        Api.Response issued = one.api().post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        one.api().post("/api/credentials").org(org).as(owner).json(Map.of("name", "REVOKED_ON_ONE", "kind", "api_key",
                "value", "not-after-revocation")).send().expect(201);
        Map<String, Object> check = Map.of("direction", "input", "content", "harmless");
        two.api().get("/agent/v1/credentials/REVOKED_ON_ONE").as(key).send().expect(200);
        two.api().post("/agent/v1/guardrails/check").as(key).json(check).send().expect(200);

        one.api().delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);

        Api.Response refused = two.api().get("/agent/v1/credentials/REVOKED_ON_ONE").as(key).send();
        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("not-after-revocation");
        two.api().post("/agent/v1/guardrails/check").as(key).json(check).send().expect(401);
    }

    @Test
    void usagePostedToBothNodesAndRetriedAcrossThemIsStoredOnceEach() throws Exception {
        String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Two-node usage")).send()
                .expect(201).id();
        String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Two-node agent")).send()
                .expect(201).id();
        String key = two.api().post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Long>> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long tokens = 10_000 + i;
            ServerProcess first = i % 2 == 0 ? one : two;
            ServerProcess retry = first == one ? two : one;
            Callable<Long> report = () -> {
                Map<String, Object> event = UsageEvents.event("gpt-4o", tokens, 1, 0, Instant.now());
                Api.Response stored = first.api().post("/agent/v1/usage").as(key).json(event).send().expect(201);
                Api.Response again = retry.api().post("/agent/v1/usage").as(key).json(event).send().expect(201);
                assertThat(stored.header("Idempotent-Replayed")).isNull();
                assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
                assertThat(again.body()).isEqualTo(stored.body());
                return tokens;
            };
            sent.add(pool.submit(report));
        }
        // The same new event sent to both nodes at once: one stores it, the other answers the replay.
        List<Future<Api.Response>> raced = new ArrayList<>();
        long racedTokens = 0;
        for (int i = 0; i < 20; i++) {
            Map<String, Object> event = UsageEvents.event("gpt-4o", 50_000 + i, 1, 0, Instant.now());
            racedTokens += 50_000 + i;
            raced.add(pool.submit(() -> one.api().post("/agent/v1/usage").as(key).json(event).send()));
            raced.add(pool.submit(() -> two.api().post("/agent/v1/usage").as(key).json(event).send()));
        }
        long expected = racedTokens;
        for (Future<Long> tokens : sent) {
            expected += tokens.get();
        }
        for (int i = 0; i < raced.size(); i += 2) {
            Api.Response a = raced.get(i).get();
            Api.Response b = raced.get(i + 1).get();
            assertThat(List.of(a.status(), b.status())).containsExactly(201, 201);
            assertThat(List.of(String.valueOf(a.header("Idempotent-Replayed")),
                    String.valueOf(b.header("Idempotent-Replayed")))).containsExactlyInAnyOrder("true", "null");
        }
        pool.shutdown();

        String month = YearMonth.now(ZoneOffset.UTC).toString();
        JsonNode statement = two.api().get("/api/organizations/" + org + "/billing?month=" + month).as(owner).send()
                .expect(200).json();
        assertThat(statement.path("inputTokens").asLong()).isEqualTo(expected);
        assertThat(statement.path("outputTokens").asLong()).as("one output token per event stored").isEqualTo(220);
    }

    @Test
    void periodicJobsRunOncePerPeriodAcrossBothNodes() throws Exception {
        YearMonth lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Two-node jobs",
                "monthlyBudget", "1.00")).send().expect(201).id();
        String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Spender")).send()
                .expect(201).id();
        one.api().post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1_000_000, 0, 0,
                lastMonth.atDay(12).atStartOfDay().toInstant(ZoneOffset.UTC)), agent)).send().expect(201);
        two.api().post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1_000_000, 0, 0,
                Instant.now()), agent)).send().expect(201);

        waitFor("last month closed", () -> one.api().get("/api/organizations/" + org + "/billing?month=" + lastMonth)
                .as(owner).send().expect(200).json().path("closed").asBoolean());
        // 2.50 of a 1.00 budget in each month: last month's alerts come from the watch or the close, this
        // month's from the watch.
        waitFor("six budget alerts", () -> two.api().get("/api/organizations/" + org + "/budget-alerts").as(owner)
                .send().expect(200).items().size() == 6);
        Thread.sleep(3_000);

        List<JsonNode> alerts = one.api().get("/api/organizations/" + org + "/budget-alerts").as(owner).send()
                .expect(200).items();
        for (YearMonth month : List.of(lastMonth, lastMonth.plusMonths(1))) {
            assertThat(alerts.stream().filter(a -> a.path("month").asString().equals(month.toString()))
                    .map(a -> a.path("threshold").asInt())).as("alerts of %s", month).containsExactly(50, 80, 100);
        }
        assertThat(audited(org, "billing.budget_alert")).as("each threshold audited once").isEqualTo(6);
        assertThat(audited(org, "billing.month_closed")).as("the month closed once").isEqualTo(1);
        // Each period is claimed once (the key of job_runs), and the runs both nodes count are
        // exactly the claimed periods: read before and after the claims, as the jobs keep ticking.
        for (String job : List.of("budget-watch", "month-end-closing", "session-sweep")) {
            long runsBefore = jobCount(one, job, "ran") + jobCount(two, job, "ran");
            long claims = claims(job);
            Thread.sleep(200);
            long runsAfter = jobCount(one, job, "ran") + jobCount(two, job, "ran");
            assertThat(claims).as("periods of %s claimed", job).isPositive().isBetween(runsBefore, runsAfter);
        }
    }

    private long audited(String org, String action) {
        return one.api().get("/api/audit?limit=500&action=" + action).org(org).as(owner).send().expect(200).items()
                .size();
    }

    /** How many periods of {@code job} are claimed in the database, each by exactly one node. */
    private long claims(String job) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.get("TENANTRY_DB_URL"),
                database.get("TENANTRY_DB_USER"), database.get("TENANTRY_DB_PASSWORD"));
                Statement sql = connection.createStatement();
                ResultSet rs = sql.executeQuery("select count(*) from job_runs where job = '" + job + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The node's own count of {@code job} ticks with that outcome, from its Prometheus metrics. */
    /** Each node keeps its own search index; a change made on one is searched on the other as it is now. */
    @Test
    void aDocumentChangedOnOneNodeIsSearchedAsItIsNowOnTheOther() throws Exception {
        String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Two-node knowledge"))
                .send().expect(201).id();
        String id = one.api().post("/api/knowledge/documents").as(owner).org(org).json(Map.of("title", "Moving text",
                "content", "The first text names capybaranode.")).send().expect(201).id();
        waitFor("node two finds what node one indexed", () -> found(two, org, "capybaranode").contains(id));

        two.api().patch("/api/knowledge/documents/" + id).as(owner).json(Map.of("content",
                "The second text names wombatnode.")).send().expect(200);
        assertThat(found(two, org, "capybaranode")).as("on the node that made the change, at once").isEmpty();
        waitFor("node one finds the new text and not the old",
                () -> found(one, org, "wombatnode").contains(id) && found(one, org, "capybaranode").isEmpty());

        Instant asked = Instant.now();
        one.api().post("/api/knowledge/reindex").as(owner).send().expect(202);
        waitFor("node two rebuilds too", () -> {
            tools.jackson.databind.JsonNode progress = two.api().get("/api/knowledge/reindex").as(owner).send()
                    .expect(200).json();
            return progress.path("state").asString().equals("done")
                    && Instant.parse(progress.path("startedAt").asString()).isAfter(asked);
        });
        assertThat(found(two, org, "wombatnode")).containsExactly(id);
    }

    private List<String> found(ServerProcess node, String org, String word) {
        return node.api().get("/api/knowledge/search?q=" + word).org(org).as(owner).send().expect(200).items()
                .stream().map(h -> h.path("documentId").asString()).distinct().toList();
    }

    private long jobCount(ServerProcess node, String job, String outcome) {
        String metrics = node.api().get("/actuator/prometheus").as(owner).send().expect(200).body();
        Matcher counter = JOB_COUNTER.matcher(metrics);
        long total = 0;
        while (counter.find()) {
            String labels = counter.group(1);
            if (labels.contains("job=\"" + job + "\"") && labels.contains("outcome=\"" + outcome + "\"")) {
                total += (long) Double.parseDouble(counter.group(2));
            }
        }
        return total;
    }

    /**
     * The budget's check and hold are one step in the database, not per node: fifty calls at
     * once, half to each node, against an org budget with room for ten calls, serve ten.
     */
    @Test
    void aBlockingBudgetHoldsAcrossBothNodes() throws Exception {
        try (FakeUpstream fake = new FakeUpstream()) {
            fake.completionTokens = 1000;
            fake.delayMillis = 300;
            String model = routedModel(fake);
            one.api().post("/api/settings/models").as(owner).json(Map.of("model", model, "provider", "test",
                    "inputPricePerMillion", "0", "outputPricePerMillion", "1000")).send().expect(201);
            String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Budget on two nodes",
                    "monthlyBudget", "10.00")).send().expect(201).id();
            two.api().patch("/api/gateway/settings").as(owner).org(org).json(Map.of("budgetEnforcement", "block"))
                    .send().expect(200);
            String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Spender")).send()
                    .expect(201).id();
            String key = one.api().post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
            Map<String, Object> call = Map.of("model", model, "max_tokens", 1000, "messages",
                    List.of(Map.of("role", "user", "content", "Count to a thousand.")));

            List<Integer> answered = onBothNodesAtOnce(50, key, call);
            assertThat(answered).filteredOn(s -> s == 200).hasSize(10);
            assertThat(answered).filteredOn(s -> s == 402).hasSize(40);
            assertThat(fake.calls()).isEqualTo(10);
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(402);
        }
    }

    /** A rate limit is one count in the database: the limit is the limit, not the limit times the nodes. */
    @Test
    void aRateLimitHoldsAcrossBothNodes() throws Exception {
        try (FakeUpstream fake = new FakeUpstream()) {
            fake.delayMillis = 100;
            String model = routedModel(fake);
            String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Rate on two nodes"))
                    .send().expect(201).id();
            String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Hasty")).send()
                    .expect(201).id();
            String key = one.api().post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
            two.api().patch("/api/gateway/settings").as(owner).org(org).json(Map.of("agentRequestsPerMinute", 10))
                    .send().expect(200);
            Map<String, Object> call = Map.of("model", model, "messages",
                    List.of(Map.of("role", "user", "content", "Quick.")));

            long start = System.nanoTime();
            List<Integer> answered = onBothNodesAtOnce(30, key, call);
            // The allowance refills one request every 6 s: only that much more may pass while they run.
            int refilled = (int) ((System.nanoTime() - start) / 6_000_000_000L);
            long served = answered.stream().filter(s -> s == 200).count();
            assertThat(served).isBetween(10L, 10L + refilled);
            assertThat(answered).filteredOn(s -> s == 429).hasSize(30 - (int) served);
            assertThat(fake.calls()).isEqualTo((int) served);
        }
    }

    /**
     * Each node keeps the gateway's routes, providers, org settings and provider keys between
     * calls; a change made on one node applies from the other's next call.
     */
    @Test
    void gatewaySettingsAndKeysChangedOnOneNodeApplyOnTheOthersNextCall() throws Exception {
        try (FakeUpstream fake = new FakeUpstream()) {
            String unique = Long.toString(System.nanoTime());
            String keyName = "KEPT_" + unique;
            String platformKey = one.api().post("/api/credentials").as(owner).org(DefaultOrg.ID).json(Map.of("name",
                    keyName, "kind", "api_key", "value", "sk-platform-first", "agentReadable", false)).send()
                    .expect(201).id();
            one.api().post("/api/settings/providers").as(owner).json(Map.of("name", "kept-" + unique, "baseUrl",
                    fake.baseUrl(), "keyCredential", keyName)).send().expect(201);
            String model = "kept-" + unique;
            String route = one.api().post("/api/settings/routes").as(owner).json(Map.of("model", model, "targets",
                    List.of(Map.of("provider", "kept-" + unique, "model", "upstream-first")))).send().expect(201)
                    .id();
            String org = one.api().post("/api/organizations").as(owner).json(Map.of("name", "Kept settings"))
                    .send().expect(201).id();
            String agent = one.api().post("/api/agents").as(owner).org(org).json(Map.of("name", "Keeper")).send()
                    .expect(201).id();
            String key = one.api().post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
            Map<String, Object> call = Map.of("model", model, "messages",
                    List.of(Map.of("role", "user", "content", "Hello.")));

            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(200);
            assertThat(fake.lastHeader("Authorization")).isEqualTo("Bearer sk-platform-first");
            assertThat(fake.lastModel()).isEqualTo("upstream-first");

            one.api().post("/api/credentials/" + platformKey + "/rotate").as(owner).org(DefaultOrg.ID)
                    .json(Map.of("value", "sk-platform-second")).send().expect(200);
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(200);
            assertThat(fake.lastHeader("Authorization")).as("a rotated key").isEqualTo("Bearer sk-platform-second");

            String ownKey = one.api().post("/api/credentials").as(owner).org(org).json(Map.of("name", keyName,
                    "kind", "api_key", "value", "sk-org-own", "agentReadable", false)).send().expect(201).id();
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(200);
            assertThat(fake.lastHeader("Authorization")).as("the org's own key").isEqualTo("Bearer sk-org-own");
            one.api().delete("/api/credentials/" + ownKey).as(owner).org(org).send().expect(204);
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(200);
            assertThat(fake.lastHeader("Authorization")).as("the org's key removed").isEqualTo(
                    "Bearer sk-platform-second");

            one.api().put("/api/settings/routes/" + route).as(owner).json(Map.of("model", model, "targets",
                    List.of(Map.of("provider", "kept-" + unique, "model", "upstream-second")))).send().expect(200);
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(200);
            assertThat(fake.lastModel()).as("a changed route").isEqualTo("upstream-second");

            one.api().patch("/api/gateway/settings").as(owner).org(org).json(Map.of("allowedModels",
                    List.of("another-model"))).send().expect(200);
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(404);
            assertThat(two.api().get("/agent/v1/models").as(key).send().expect(200).body()).doesNotContain(model);
            one.api().patch("/api/gateway/settings").as(owner).org(org).json(Map.of("allowedModels", List.of(model)))
                    .send().expect(200);
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(200);

            one.api().delete("/api/settings/routes/" + route).as(owner).send().expect(204);
            two.api().post("/agent/v1/chat/completions").as(key).json(call).send().expect(404);
            assertThat(fake.calls()).isEqualTo(6);
        }
    }

    /** A provider for this upstream and a route to it; answers the routed model's name. */
    private String routedModel(FakeUpstream fake) {
        String unique = Long.toString(System.nanoTime());
        one.api().post("/api/credentials").as(owner).org(DefaultOrg.ID).json(Map.of("name", "UPSTREAM_" + unique,
                "kind", "api_key", "value", "sk-two-nodes", "agentReadable", false)).send().expect(201);
        one.api().post("/api/settings/providers").as(owner).json(Map.of("name", "two-nodes-" + unique, "baseUrl",
                fake.baseUrl(), "keyCredential", "UPSTREAM_" + unique)).send().expect(201);
        String model = "two-nodes-" + unique;
        one.api().post("/api/settings/routes").as(owner).json(Map.of("model", model, "targets",
                List.of(Map.of("provider", "two-nodes-" + unique, "model", model)))).send().expect(201);
        return model;
    }

    /** {@code n} calls at once, alternating between the nodes; answers their statuses. */
    private List<Integer> onBothNodesAtOnce(int n, String key, Map<String, Object> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServerProcess node = i % 2 == 0 ? one : two;
                statuses.add(pool.submit(() -> node.api().post("/agent/v1/chat/completions").as(key).json(call)
                        .send().status()));
            }
            List<Integer> answered = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answered.add(status.get());
            }
            return answered;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("waited a minute for: " + what);
            }
            Thread.sleep(250);
        }
    }
}
