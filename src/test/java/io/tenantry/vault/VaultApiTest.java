package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * The credentials vault through the API: metadata only for people, values for the org's
 * agents alone, every read recorded, rotation with a grace period, agent-scoped credentials
 * destroyed when their agent moves, nothing in clear at rest, and no value in any log line
 * of the whole class (every log event of the server is captured and searched at the end).
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=vault")
class VaultApiTest extends ServerTest {

    /** Every secret value a test sent: none may appear in any log line. */
    static final List<String> SECRETS = Collections.synchronizedList(new ArrayList<>());
    static final List<String> LOGGED = Collections.synchronizedList(new ArrayList<>());
    static final AppenderBase<ILoggingEvent> CAPTURE = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            LOGGED.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(event.getThrowableProxy())));
        }
    };

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    VaultUpkeep upkeep;

    @Value("${tenantry.data-dir}")
    String dataDir;

    @BeforeAll
    static void captureLogs() {
        CAPTURE.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(CAPTURE);
    }

    @AfterAll
    static void noSecretWasEverLogged() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(CAPTURE);
        assertThat(LOGGED).as("log events captured").isNotEmpty();
        synchronized (SECRETS) {
            for (String secret : SECRETS) {
                assertThat(LOGGED).as("log lines holding a secret").noneMatch(line -> line.contains(secret));
            }
        }
    }

    /** A fresh secret value, remembered for the log scan. */
    static String secret(String prefix) {
        String value = prefix + "-" + UUID.randomUUID().toString().replace("-", "") + "Zq";
        SECRETS.add(value);
        return value;
    }

    static Map<String, Object> credential(String name, String value, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("kind", "api_key");
        body.put("value", value);
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    Api.Response create(String org, String token, Map<String, Object> body) {
        return api.post("/api/credentials").org(org).as(token).json(body).send();
    }

    Api.Response read(String agentKey, String name) {
        return api.get("/agent/v1/credentials/" + name).as(agentKey).send();
    }

    int credentialCount(String org) {
        return api.get("/api/credentials?limit=500").org(org).as(owner).send().expect(200).items().size();
    }

    @Test
    void peopleSeeMetadataOnlyAndTheOrgsAgentsReadTheValue() {
        String org = platform.createOrg("Vault basics");
        String agent = platform.createAgent(org, "Mailer");
        String key = platform.issueKey(agent);
        String user = platform.createUser("user", org, List.of("vault"));
        String value = secret("sk-live");
        Api.Response created = create(org, user, credential("STRIPE_KEY", value, "description", "Payments",
                "expiresAt", Instant.now().plus(Duration.ofDays(5)).toString())).expect(201);
        JsonNode json = created.json();
        assertThat(created.body()).doesNotContain(value);
        assertThat(json.path("lastFour").asString()).isEqualTo(value.substring(value.length() - 4));
        assertThat(json.path("scope").asString()).isEqualTo("org");
        assertThat(json.path("version").asInt()).isEqualTo(1);
        assertThat(json.path("expiry").asString()).isEqualTo("expiring");
        assertThat(json.path("agentReadable").asBoolean()).isTrue();
        assertThat(json.path("lastReadAt").isNull()).isTrue();

        Api.Response listed = api.get("/api/credentials").org(org).as(user).send().expect(200);
        assertThat(listed.itemIds()).containsExactly(created.id());
        assertThat(listed.body()).doesNotContain(value);
        assertThat(api.get("/api/credentials/" + created.id()).as(user).send().expect(200).body()).doesNotContain(value);

        Api.Response got = read(key, "STRIPE_KEY").expect(200);
        assertThat(got.text("value")).isEqualTo(value);
        assertThat(got.json().path("version").asInt()).isEqualTo(1);
        assertThat(got.json().path("previous").isNull()).isTrue();
        assertThat(got.header("Cache-Control")).isEqualTo("no-store");
        assertThat(got.header("Content-Type")).isEqualTo("application/json");
        assertThat(got.header("Content-Length")).as("written whole, not chunked")
                .isEqualTo(Integer.toString(got.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));

        List<JsonNode> reads = api.get("/api/credentials/" + created.id() + "/reads").as(user).send().expect(200)
                .items();
        assertThat(reads).hasSize(1);
        assertThat(reads.get(0).path("agentId").asString()).isEqualTo(agent);
        assertThat(reads.get(0).path("version").asInt()).isEqualTo(1);
        assertThat(api.get("/api/credentials/" + created.id()).as(user).send().expect(200).json().path("lastReadAt")
                .isNull()).isFalse();
        List<JsonNode> audit = api.get("/api/audit?action=credential.read").org(org).as(owner).send().expect(200)
                .items();
        // The same event whichever way the read was recorded (one statement on PostgreSQL, two steps on H2).
        assertThat(audit).singleElement().satisfies(e -> {
            assertThat(e.path("targetType").asString()).isEqualTo("credential");
            assertThat(e.path("targetId").asString()).isEqualTo(created.id());
            assertThat(e.path("actorType").asString()).isEqualTo("agent");
            assertThat(e.path("actorId").asString()).isEqualTo(agent);
            assertThat(e.path("before").isNull()).isTrue();
            assertThat(e.path("after").path("name").asString()).isEqualTo("STRIPE_KEY");
            assertThat(e.path("after").path("version").asInt()).isEqualTo(1);
            assertThat(e.path("after").path("agentId").asString()).isEqualTo(agent);
            assertThat(e.path("after").size()).isEqualTo(3);
            assertThat(e.path("platform").asBoolean()).isFalse();
            assertThat(e.path("occurredAt").asString()).isEqualTo(reads.get(0).path("at").asString());
            assertThat(e.path("requestId").asString()).isEqualTo(got.header("X-Request-Id"));
        });
        assertThat(api.get("/api/audit?limit=500").org(org).as(owner).send().expect(200).body()).doesNotContain(value);

        // A short value shows no part of itself.
        String shortValue = secret("pw");
        Api.Response small = create(org, user, credential("SMTP_PASSWORD", shortValue.substring(0, 10), "kind",
                "smtp")).expect(201);
        assertThat(small.json().path("lastFour").isNull()).isTrue();
    }

    @Test
    void anAgentsOwnCredentialComesBeforeItsOrgsAndNoOtherAgentGetsIt() {
        String org = platform.createOrg("Vault scopes");
        String agent = platform.createAgent(org, "Own");
        String other = platform.createAgent(org, "Other");
        String orgValue = secret("org");
        String ownValue = secret("own");
        create(org, owner, credential("GITHUB_TOKEN", orgValue)).expect(201);
        Api.Response own = create(org, owner, credential("GITHUB_TOKEN", ownValue, "scope", "agent", "agentId",
                agent)).expect(201);
        assertThat(own.json().path("agentId").asString()).isEqualTo(agent);

        assertThat(read(platform.issueKey(agent), "GITHUB_TOKEN").expect(200).text("value")).isEqualTo(ownValue);
        Api.Response others = read(platform.issueKey(other), "GITHUB_TOKEN").expect(200);
        assertThat(others.text("value")).isEqualTo(orgValue);
        assertThat(others.text("scope")).isEqualTo("org");
        assertThat(api.get("/api/credentials?agentId=" + agent).org(org).as(owner).send().expect(200).itemIds())
                .containsExactly(own.id());
    }

    @Test
    void noAgentReadsAnotherOrgsCredentialNorTheOperatorsNorOneKeptFromAgents() {
        String a = platform.createOrg("Vault A");
        String b = platform.createOrg("Vault B");
        String keyB = platform.issueKey(platform.createAgent(b, "Agent B"));
        String keyA = platform.issueKey(platform.createAgent(a, "Agent A"));
        String userB = platform.createUser("user", b, List.of("vault"));
        String aValue = secret("a");
        String operatorValue = secret("operator");
        String aId = create(a, owner, credential("SHARED_NAME", aValue)).expect(201).id();
        create(DefaultOrg.ID.toString(), owner, credential("OPERATOR_KEY", operatorValue)).expect(201);
        create(DefaultOrg.ID.toString(), owner, credential("SHARED_NAME", operatorValue)).expect(201);

        read(keyB, "SHARED_NAME").expect(404);
        read(keyB, "OPERATOR_KEY").expect(404);
        assertThat(read(keyA, "SHARED_NAME").expect(200).text("value")).isEqualTo(aValue);
        api.get("/api/credentials/" + aId).as(userB).send().expect(404);
        api.get("/api/credentials/" + aId + "/reads").as(userB).send().expect(404);
        api.patch("/api/credentials/" + aId).as(userB).json(Map.of("description", "mine")).send().expect(404);
        api.post("/api/credentials/" + aId + "/rotate").as(userB).json(Map.of("value", secret("x"))).send()
                .expect(404);
        api.delete("/api/credentials/" + aId).as(userB).send().expect(404);
        assertThat(api.get("/api/credentials?limit=500").as(userB).send().expect(200).body()).doesNotContain(aId)
                .doesNotContain("OPERATOR_KEY");
        api.get("/api/credentials").org(a).as(userB).send().expect(403);

        String hidden = secret("server-only");
        create(a, owner, credential("PROVIDER_KEY", hidden, "agentReadable", false)).expect(201);
        Api.Response refused = read(keyA, "PROVIDER_KEY").expect(403);
        assertThat(refused.body()).doesNotContain(hidden);
    }

    /** HEAD would be a read on the record with no value sent: refused, with what is allowed. */
    @Test
    void aHeadRequestIsRefusedAndRecordsNothing() {
        String org = platform.createOrg("Vault head");
        String key = platform.issueKey(platform.createAgent(org, "Header"));
        String id = create(org, owner, credential("TOKEN", secret("head"))).expect(201).id();
        Api.Response head = api.call("HEAD", "/agent/v1/credentials/TOKEN").as(key).send();
        assertThat(head.status()).isEqualTo(405);
        assertThat(head.header("Allow")).isEqualTo("GET");
        assertThat(api.get("/api/credentials/" + id + "/reads").as(owner).send().expect(200).items()).isEmpty();
        assertThat(api.get("/api/audit?action=credential.read").org(org).as(owner).send().expect(200).items())
                .isEmpty();
    }

    @Test
    void aPausedAgentOrAnExpiredCredentialGivesNothing() throws Exception {
        String org = platform.createOrg("Vault refusals");
        String agent = platform.createAgent(org, "Sleeper");
        String key = platform.issueKey(agent);
        String value = secret("paused");
        String id = create(org, owner, credential("TOKEN", value, "expiresAt",
                Instant.now().plusSeconds(2).toString())).expect(201).id();
        api.post("/api/agents/" + agent + "/pause").as(owner).json(Map.of("reason", "Vault test")).send().expect(200);
        assertThat(read(key, "TOKEN").expect(403).body()).doesNotContain(value);
        api.post("/api/agents/" + agent + "/resume").as(owner).json(Map.of("reason", "Vault test")).send()
                .expect(200);
        Thread.sleep(2_100);
        assertThat(read(key, "TOKEN").expect(410).body()).doesNotContain(value);
        assertThat(api.get("/api/credentials/" + id + "/reads").as(owner).send().expect(200).items()).isEmpty();
        assertThat(api.get("/api/credentials/" + id).as(owner).send().expect(200).text("expiry")).isEqualTo("expired");
    }

    @Test
    void rotationServesTheEarlierValueForTheGracePeriodThenDestroysIt() {
        String org = platform.createOrg("Vault rotation");
        String key = platform.issueKey(platform.createAgent(org, "Roller"));
        String first = secret("first");
        String second = secret("second");
        String id = create(org, owner, credential("WEBHOOK_SECRET", first, "kind", "webhook_secret")).expect(201).id();
        Api.Response rotated = api.post("/api/credentials/" + id + "/rotate").as(owner).json(Map.of("value", second))
                .send().expect(200);
        assertThat(rotated.body()).doesNotContain(second).doesNotContain(first);
        assertThat(rotated.json().path("version").asInt()).isEqualTo(2);
        assertThat(rotated.text("lastFour")).isEqualTo(second.substring(second.length() - 4));

        JsonNode now = read(key, "WEBHOOK_SECRET").expect(200).json();
        assertThat(now.path("value").asString()).isEqualTo(second);
        assertThat(now.path("version").asInt()).isEqualTo(2);
        assertThat(now.path("previous").path("value").asString()).isEqualTo(first);
        assertThat(now.path("previous").path("version").asInt()).isEqualTo(1);
        Instant retires = Instant.parse(now.path("previous").path("retiresAt").asString());
        assertThat(retires).isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        // Both values went out, and the record says so (outside tester: it named version 2 alone).
        JsonNode recorded = api.get("/api/credentials/" + id + "/reads").as(owner).send().expect(200).items().get(0);
        assertThat(recorded.path("version").asInt()).isEqualTo(2);
        assertThat(recorded.path("previousVersion").asInt()).isEqualTo(1);
        JsonNode audited = api.get("/api/audit?action=credential.read").org(org).as(owner).send().expect(200)
                .items().get(0);
        assertThat(audited.path("after").path("version").asInt()).isEqualTo(2);
        assertThat(audited.path("after").path("previousVersion").asInt()).isEqualTo(1);

        // A day later, the upkeep destroys version 1: its ciphertext is gone from the database.
        assertThat(upkeep.upkeep(Instant.now().plus(Duration.ofHours(25)))).isGreaterThanOrEqualTo(1);
        assertThat(versionsOf(UUID.fromString(id))).containsExactly(2);
        assertThat(read(key, "WEBHOOK_SECRET").expect(200).json().path("previous").isNull()).isTrue();
        JsonNode alone = api.get("/api/credentials/" + id + "/reads").as(owner).send().expect(200).items().get(0);
        assertThat(alone.path("previousVersion").isNull()).as("one value given: " + alone).isTrue();
        assertThat(api.get("/api/audit?action=credential.version.destroyed").org(org).as(owner).send().expect(200)
                .items()).anySatisfy(e -> assertThat(e.toString()).contains(id));
    }

    /**
     * Reads past the read history are forgotten, but not when the credential was last read: a
     * key unused for that long must not show as never read (outside tester).
     */
    @Test
    void aReadForgottenByTheHistoryStillSaysWhenTheCredentialWasLastRead() {
        String org = platform.createOrg("Vault history");
        String key = platform.issueKey(platform.createAgent(org, "Historian"));
        String read = create(org, owner, credential("READ_ONCE", secret("read"))).expect(201).id();
        String unread = create(org, owner, credential("NEVER_READ", secret("unread"))).expect(201).id();
        read(key, "READ_ONCE").expect(200);
        String lastRead = api.get("/api/credentials/" + read).as(owner).send().expect(200).text("lastReadAt");
        assertThat(Instant.parse(lastRead)).isBefore(Instant.now().plusSeconds(1));

        // Ninety days and a day later, the upkeep forgets the read.
        upkeep.upkeep(Instant.now().plus(Duration.ofDays(91)));
        assertThat(api.get("/api/credentials/" + read + "/reads").as(owner).send().expect(200).items()).isEmpty();
        assertThat(api.get("/api/credentials/" + read).as(owner).send().expect(200).text("lastReadAt"))
                .isEqualTo(lastRead);
        assertThat(api.get("/api/credentials").org(org).as(owner).send().expect(200).items()).anySatisfy(c -> {
            assertThat(c.path("name").asString()).isEqualTo("READ_ONCE");
            assertThat(c.path("lastReadAt").asString()).isEqualTo(lastRead);
        });
        assertThat(api.get("/api/credentials/" + unread).as(owner).send().expect(200).json().path("lastReadAt")
                .isNull()).isTrue();

        // A read after it is the last read again.
        read(key, "READ_ONCE").expect(200);
        assertThat(Instant.parse(api.get("/api/credentials/" + read).as(owner).send().expect(200).text("lastReadAt")))
                .isAfter(Instant.parse(lastRead));
    }

    /** Forty rotations in a row kept forty-one values, each readable for a day. */
    @Test
    void anExpiredCredentialIsRotatedWithANewExpiryInOneStepAndWithoutOneKeepsItsExpiry() throws Exception {
        String org = platform.createOrg("Vault renewal");
        String key = platform.issueKey(platform.createAgent(org, "Renewer"));
        String id = create(org, owner, credential("RENEWED", secret("old"), "expiresAt",
                Instant.now().plusSeconds(2).toString())).expect(201).id();
        Thread.sleep(2_100);
        read(key, "RENEWED").expect(410);

        String renewed = secret("renewed");
        Instant until = Instant.now().plus(Duration.ofDays(90)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        JsonNode rotated = api.post("/api/credentials/" + id + "/rotate").as(owner)
                .json(Map.of("value", renewed, "expiresAt", until.toString())).send().expect(200).json();
        assertThat(rotated.path("expiry").asString()).isEqualTo("valid");
        assertThat(Instant.parse(rotated.path("expiresAt").asString())).isEqualTo(until);
        JsonNode served = read(key, "RENEWED").expect(200).json();
        assertThat(served.path("value").asString()).isEqualTo(renewed);
        // The expired value is not served beside it for the grace period (retest: it came back for a day).
        assertThat(served.path("previous").isObject()).isFalse();
        assertThat(served.toString()).doesNotContain("old-");
        JsonNode audited = api.get("/api/audit?action=credential.rotated").org(org).as(owner).send().expect(200)
                .items().get(0);
        assertThat(Instant.parse(audited.path("after").path("expiresAt").asString())).isEqualTo(until);
        assertThat(Instant.parse(audited.path("before").path("expiresAt").asString())).isBefore(Instant.now());
        assertThat(audited.toString()).doesNotContain(renewed);

        // Without expiresAt the expiry stays; with null there is none from now on. A value
        // replaced before its expiry is served beside the new one until then at the latest.
        String third = secret("third");
        assertThat(Instant.parse(api.post("/api/credentials/" + id + "/rotate").as(owner)
                .json(Map.of("value", third)).send().expect(200).text("expiresAt"))).isEqualTo(until);
        assertThat(read(key, "RENEWED").expect(200).json().path("previous").path("value").asString())
                .isEqualTo(renewed);
        String soon = create(org, owner, credential("SOON", secret("soon"), "expiresAt",
                Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString())).expect(201).id();
        String soonUntil = api.get("/api/credentials/" + soon).as(owner).send().expect(200).text("expiresAt");
        api.post("/api/credentials/" + soon + "/rotate").as(owner).json(Map.of("value", secret("later"), "expiresAt",
                until.toString())).send().expect(200);
        assertThat(Instant.parse(read(key, "SOON").expect(200).json().path("previous").path("retiresAt").asString()))
                .isEqualTo(Instant.parse(soonUntil));
        Map<String, Object> noExpiry = new HashMap<>();
        noExpiry.put("value", secret("fourth"));
        noExpiry.put("expires_at", null);
        JsonNode unbounded = api.post("/api/credentials/" + id + "/rotate").as(owner).json(noExpiry).send()
                .expect(200).json();
        assertThat(unbounded.path("expiresAt").isMissingNode() || unbounded.path("expiresAt").isNull()).isTrue();
        assertThat(unbounded.path("expiry").asString()).isEqualTo("none");
        assertThat(api.get("/api/credentials/" + id).as(owner).send().expect(200).text("expiry")).isEqualTo("none");
    }

    @Test
    void aRotationKeepsOnlyTheValueItReplacedAndDestroysTheOnesBefore() {
        String org = platform.createOrg("Vault rotated thrice");
        String key = platform.issueKey(platform.createAgent(org, "Roller"));
        String id = create(org, owner, credential("HOOK", secret("v1"), "kind", "webhook_secret")).expect(201).id();
        String third = secret("v3");
        String fourth = secret("v4");
        for (String value : List.of(secret("v2"), third, fourth)) {
            api.post("/api/credentials/" + id + "/rotate").as(owner).json(Map.of("value", value)).send().expect(200);
        }

        assertThat(versionsOf(UUID.fromString(id))).containsExactly(3, 4);
        JsonNode read = read(key, "HOOK").expect(200).json();
        assertThat(read.path("value").asString()).isEqualTo(fourth);
        assertThat(read.path("previous").path("value").asString()).isEqualTo(third);
        List<JsonNode> destroyed = api.get("/api/audit?action=credential.version.destroyed&limit=500").org(org)
                .as(owner).send().expect(200).items().stream().filter(e -> id.equals(e.path("targetId").asString()))
                .toList();
        assertThat(destroyed).extracting(e -> e.path("before").path("version").asInt()).containsExactlyInAnyOrder(1, 2);
    }

    List<Integer> versionsOf(UUID id) {
        OrgScope all = OrgScope.allOrgs();
        return transactions.read(all, () -> jdbc.sql("select version from credential_versions where credential_id = :id"
                + " and " + all.sql("org_id") + " order by version").param("id", id).params(all.parameters())
                .query(Integer.class).list());
    }

    @Test
    void anAgentsOwnCredentialsAreDestroyedWhenItMovesAndItsOrgAccessFollowsIt() {
        String from = platform.createOrg("Vault from");
        String to = platform.createOrg("Vault to");
        String agent = platform.createAgent(from, "Mover");
        String key = platform.issueKey(agent);
        String own = create(from, owner, credential("OWN", secret("own"), "scope", "agent", "agentId", agent))
                .expect(201).id();
        create(from, owner, credential("ORG_KEY", secret("from"))).expect(201);
        String toValue = secret("to");
        create(to, owner, credential("ORG_KEY", toValue)).expect(201);

        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to)).send().expect(200);
        api.get("/api/credentials/" + own).as(owner).send().expect(404);
        assertThat(versionsOf(UUID.fromString(own))).isEmpty();
        read(key, "OWN").expect(404);
        assertThat(read(key, "ORG_KEY").expect(200).text("value")).isEqualTo(toValue);
        assertThat(api.get("/api/audit?action=credential.revoked").org(from).as(owner).send().expect(200).items())
                .anySatisfy(e -> assertThat(e.toString()).contains(own));
    }

    /**
     * Creating an agent's credentials while it moves: each either lands before the move (and
     * is destroyed by it) or is refused as not of this org; none is left with the agent in
     * its new org, and no request fails (both once took their locks in opposite orders, and
     * the database broke the deadlock with a 500).
     */
    @Test
    void anAgentsCredentialsCreatedWhileItMovesAreRefusedOrDestroyedNeverAFailure() throws Exception {
        String[] orgs = {platform.createOrg("Vault move race one"), platform.createOrg("Vault move race two")};
        String agent = platform.createAgent(orgs[0], "Racing mover");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 4; round++) {
                String from = orgs[round % 2];
                String to = orgs[(round + 1) % 2];
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<Future<Integer>> creates = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    String name = "MOVING_" + round + "_" + i;
                    String value = secret("moving");
                    creates.add(pool.submit(() -> {
                        go.await();
                        return create(from, owner, credential(name, value, "scope", "agent", "agentId", agent))
                                .status();
                    }));
                }
                Future<Integer> move = pool.submit(() -> {
                    go.await();
                    return api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to))
                            .send().status();
                });
                go.countDown();
                assertThat(move.get()).as("the move, round %d", round).isEqualTo(200);
                for (Future<Integer> f : creates) {
                    assertThat(f.get()).as("a create racing the move, round %d", round).isIn(201, 400);
                }
                assertThat(api.get("/api/credentials?agentId=" + agent).org(to).as(owner).send().expect(200).items())
                        .as("nothing of the agent's own followed it").isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nothingIsStoredInClearAndACiphertextMovedToAnotherRowDoesNotOpen() {
        String a = platform.createOrg("At rest A");
        String b = platform.createOrg("At rest B");
        String keyB = platform.issueKey(platform.createAgent(b, "Thief"));
        String aValue = secret("at-rest-a");
        String bValue = secret("at-rest-b");
        UUID aId = UUID.fromString(create(a, owner, credential("DB_PASSWORD", aValue, "kind", "password")).expect(201)
                .id());
        UUID bId = UUID.fromString(create(b, owner, credential("DB_PASSWORD", bValue, "kind", "password")).expect(201)
                .id());
        OrgScope all = OrgScope.allOrgs();
        for (String table : List.of("credentials", "credential_versions", "vault_data_keys", "credential_reads",
                "audit_events")) {
            List<Map<String, Object>> rows = transactions.read(all, () -> jdbc.sql("select * from " + table).query()
                    .listOfRows());
            for (Map<String, Object> row : rows) {
                for (Object cell : row.values()) {
                    String text = cell instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1)
                            : String.valueOf(cell);
                    assertThat(text).as(table).doesNotContain(aValue).doesNotContain(bValue);
                }
            }
        }
        // A's sealed value copied into B's row: bound to A's org, id and version, it does not open as B's.
        transactions.write(all, () -> {
            byte[] sealed = jdbc.sql("select ciphertext from credential_versions where credential_id = :id")
                    .param("id", aId).query(byte[].class).single();
            jdbc.sql("update credential_versions set ciphertext = :sealed where credential_id = :id")
                    .param("sealed", sealed).param("id", bId).update();
        });
        Api.Response refused = read(keyB, "DB_PASSWORD");
        assertThat(refused.status()).isEqualTo(500);
        assertThat(refused.body()).doesNotContain(aValue).doesNotContain(bValue);
        assertThatThrownBy(() -> AesGcm.open(AesGcm.newKey(), AesGcm.seal(AesGcm.newKey(), new byte[] {1}, new byte[0]),
                new byte[0])).isInstanceOf(AesGcm.Unopened.class);
    }

    @Test
    void theMasterKeyFileIsTheOwnersAloneAndAWrongMasterKeyStopsTheStart() throws Exception {
        String org = platform.createOrg("Wrong master");
        create(org, owner, credential("ANY", secret("any"))).expect(201);
        Path file = Path.of(dataDir, MasterKeys.FILE);
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);

        Path elsewhere = Files.createTempDirectory("tenantry-other-master");
        MasterKeys wrong = new MasterKeys(MasterKey.generate().base64(), "", elsewhere.toString());
        assertThatThrownBy(() -> new DataKeys(jdbc, wrong, transactions).afterSingletonsInstantiated())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not open the data keys")
                .hasMessageContaining("TENANTRY_MASTER_KEY")
                .hasMessageContaining("Refusing to start");
        assertThatThrownBy(() -> new MasterKeys("c2hvcnQ=", "", elsewhere.toString()))
                .hasMessageContaining("32 random bytes");
    }

    @Test
    void theMasterKeyIsRotatedByReWrappingEveryDataKeyAndValuesStillOpen() throws Exception {
        String org = platform.createOrg("Master rotation");
        String key = platform.issueKey(platform.createAgent(org, "After rotation"));
        String value = secret("survives");
        create(org, owner, credential("SURVIVOR", value)).expect(201);
        String admin = platform.createUser("admin", null, List.of());
        api.post("/api/credentials/rotate-master-key").as(admin).send().expect(403);
        api.get("/api/credentials/rotate-master-key").as(admin).send().expect(403);

        String before = api.get("/api/credentials/rotate-master-key").as(owner).send().expect(200).text("masterKeyId");
        Api.Response started = api.post("/api/credentials/rotate-master-key").as(owner).send().expect(202);
        assertThat(started.text("masterKeyId")).isNotEqualTo(before);
        JsonNode progress = started.json();
        for (int i = 0; i < 100 && !progress.path("state").asString().equals("done"); i++) {
            Thread.sleep(100);
            progress = api.get("/api/credentials/rotate-master-key").as(owner).send().expect(200).json();
        }
        assertThat(progress.path("state").asString()).isEqualTo("done");
        assertThat(progress.path("done").asLong()).isEqualTo(progress.path("total").asLong()).isPositive();
        assertThat(read(key, "SURVIVOR").expect(200).text("value")).isEqualTo(value);
        List<String> lines = Files.readAllLines(Path.of(dataDir, MasterKeys.FILE)).stream().filter(l -> !l.isBlank())
                .toList();
        assertThat(lines).hasSize(1);
        // A new server with the rotated file opens every data key; with the old key alone, it would not.
        MasterKeys rotated = new MasterKeys("", "", dataDir);
        assertThat(rotated.current().keyId()).isEqualTo(progress.path("masterKeyId").asString());
        new DataKeys(jdbc, rotated, transactions).afterSingletonsInstantiated();
    }

    @Test
    void badInputIsRefusedClearlyAndStoresNothing() {
        String org = platform.createOrg("Vault input");
        String other = platform.createOrg("Vault input other");
        String foreignAgent = platform.createAgent(other, "Foreign");
        create(org, owner, credential("TAKEN", secret("taken"))).expect(201);
        int before = credentialCount(org);
        String value = secret("bad");
        List<Map<String, Object>> bad = List.of(
                credential("TAKEN", value),
                credential("OWN", value, "scope", "agent", "agentId", foreignAgent),
                credential("OWN", value, "scope", "agent"),
                credential("OWN", value, "scope", "agent", "agentId", "not-an-id"),
                credential("ORG", value, "agentId", foreignAgent),
                credential("EMPTY", ""),
                credential("BLANK", "   "),
                credential("HUGE", "x".repeat(1024 * 1024)),
                credential("KIND", value, "kind", "certificate"),
                credential("SCOPE", value, "scope", "team"),
                credential("bad name", value),
                credential("-dash", value),
                credential("x".repeat(129), value),
                credential("PAST", value, "expiresAt", "2001-01-01T00:00:00Z"),
                credential("FAR", value, "expiresAt", "+1000000000-01-01T00:00:00Z"),
                credential("READABLE", value, "agentReadable", "yes"),
                credential("TYPO", value, "orgID", other));
        for (Map<String, Object> body : bad) {
            Api.Response response = create(org, owner, body);
            assertThat(response.status()).as(body.keySet() + " " + String.valueOf(body.get("name")).length())
                    .isIn(400, 409, 413);
            assertThat(response.json().path("detail").asString()).isNotBlank();
            assertThat(response.body()).doesNotContain(value);
        }
        for (String text : List.of("aaaaaaaaaaaaaaaaaaaa\\ud83d", "\\u0000", "key\\u0085value")) {
            api.post("/api/credentials").org(org).as(owner).raw("{\"name\":\"ODD\",\"kind\":\"other\",\"value\":\""
                    + text + "\"}").send().expect(400);
        }
        Api.Response missing = api.post("/api/credentials").org(org).as(owner).raw("{").send().expect(400);
        assertThat(missing.json().path("detail").asString()).isNotBlank();
        api.post("/api/credentials").org(org).as(owner).json(Map.of("name", "NOVALUE", "kind", "other")).send()
                .expect(400);
        assertThat(credentialCount(org)).isEqualTo(before);

        String id = api.get("/api/credentials").org(org).as(owner).send().expect(200).itemIds().get(0);
        for (Map<String, ?> patch : List.<Map<String, ?>>of(Map.of("value", value), Map.of("scope", "agent"),
                Map.of("agentId", foreignAgent), Map.of("version", 9), Map.of("kind", "nope"), Map.of("name", ""),
                Map.of("agentReadable", "false"), Map.of("lastFour", "abcd"))) {
            Api.Response response = api.patch("/api/credentials/" + id).as(owner).json(patch).send().expect(400);
            assertThat(response.body()).doesNotContain(value);
        }
        api.post("/api/credentials/" + id + "/rotate").as(owner).json(Map.of("value", "")).send().expect(400);
        api.post("/api/credentials/" + id + "/rotate").as(owner).json(Map.of("value", value, "extra", 1)).send()
                .expect(400);
        for (Object expiry : List.of("2001-01-01T00:00:00Z", "+1000000000-01-01T00:00:00Z", "soon", 5, "")) {
            api.post("/api/credentials/" + id + "/rotate").as(owner).json(Map.of("value", value, "expiresAt", expiry))
                    .send().expect(400);
        }
        api.post("/api/credentials/" + id + "/rotate").as(owner).json(Map.of("value", value, "expiresAt",
                "2099-01-01T00:00:00Z", "expires_at", "2099-01-01T00:00:00Z")).send().expect(400);
        assertThat(api.get("/api/credentials/" + id).as(owner).send().expect(200).json().path("version").asInt())
                .isEqualTo(1);
        api.get("/api/credentials/%20").as(owner).send().expect(400);
        api.get("/agent/v1/credentials/" + "x".repeat(200)).as(platform.issueKey(platform.createAgent(org, "Asker")))
                .send().expect(400);
    }

    @Test
    void parallelCreatesOfOneNameStoreOneAndTheFirstCredentialsOfAnOrgShareOneDataKey() throws Exception {
        String org = platform.createOrg("Vault race");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Integer>> sameName = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String value = secret("race");
                sameName.add(pool.submit(() -> create(org, owner, credential("RACE", value)).status()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : sameName) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);

            String fresh = platform.createOrg("Vault race fresh");
            String key = platform.issueKey(platform.createAgent(fresh, "Reader"));
            List<Future<Integer>> first = new ArrayList<>();
            Map<String, String> values = new java.util.concurrent.ConcurrentHashMap<>();
            for (int i = 0; i < 12; i++) {
                String name = "FIRST_" + i;
                String value = secret("first");
                values.put(name, value);
                first.add(pool.submit(() -> create(fresh, owner, credential(name, value)).status()));
            }
            for (Future<Integer> f : first) {
                assertThat(f.get()).isEqualTo(201);
            }
            for (Map.Entry<String, String> entry : values.entrySet()) {
                assertThat(read(key, entry.getKey()).expect(200).text("value")).isEqualTo(entry.getValue());
            }
            OrgScope all = OrgScope.allOrgs();
            assertThat(transactions.read(all, () -> jdbc.sql("select count(*) from vault_data_keys where org_id = :org")
                    .param("org", UUID.fromString(fresh)).query(Integer.class).single())).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void parallelRotationsEachAnswerTheVersionTheyMadeAndHintsCountCharacters() throws Exception {
        String org = platform.createOrg("Vault rotations");
        String id = create(org, owner, credential("ROTATED", secret("start"))).expect(201).id();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            Map<Integer, String> answered = new java.util.concurrent.ConcurrentHashMap<>();
            List<Future<?>> rotations = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String value = secret("rotation" + i);
                rotations.add(pool.submit(() -> {
                    Api.Response response = api.post("/api/credentials/" + id + "/rotate").as(owner)
                            .json(Map.of("value", value)).send().expect(200);
                    assertThat(response.text("lastFour")).isEqualTo(value.substring(value.length() - 4));
                    assertThat(answered.put(response.json().path("version").asInt(), value)).isNull();
                }));
            }
            for (Future<?> rotation : rotations) {
                rotation.get();
            }
            assertThat(answered.keySet()).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.rangeClosed(2, 13).boxed().toList());
        } finally {
            pool.shutdownNow();
        }

        String emoji = secret("ends-in-a-key") + "\uD83D\uDD11";
        Api.Response withEmoji = create(org, owner, credential("EMOJI", emoji)).expect(201);
        // Four characters, the key emoji one of them (two UTF-16 units), end to end.
        assertThat(withEmoji.text("lastFour")).isEqualTo(emoji.substring(emoji.length() - 5));
        String password = secret("a long chosen password");
        Api.Response chosen = create(org, owner, credential("LOGIN", password, "kind", "password")).expect(201);
        assertThat(chosen.json().path("lastFour").isNull()).isTrue();
        Api.Response key = create(org, owner, credential("NOW_A_PASSWORD", secret("key"))).expect(201);
        assertThat(key.json().path("lastFour").isNull()).isFalse();
        assertThat(api.patch("/api/credentials/" + key.id()).as(owner).json(Map.of("kind", "password")).send()
                .expect(200).json().path("lastFour").isNull()).isTrue();
    }

    /**
     * A credential deleted while agents read it: each read gives the value or a 404, and
     * every value given is on the record (the audit log keeps reads after the credential is
     * gone), whichever side of the deletion the read's lookup and its record fell.
     */
    @Test
    void readsRacingTheCredentialsDeletionEachGiveTheValueOnTheRecordOrNothing() throws Exception {
        String org = platform.createOrg("Vault race");
        List<String> keys = List.of(platform.issueKey(platform.createAgent(org, "Racer 1")),
                platform.issueKey(platform.createAgent(org, "Racer 2")));
        String value = secret("race");
        String id = create(org, owner, credential("RACE", value)).expect(201).id();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Integer> statuses = new ArrayList<>();
        try {
            List<Future<Api.Response>> reads = new ArrayList<>();
            Future<Api.Response> deletion = null;
            for (int i = 0; i < 60; i++) {
                String key = keys.get(i % 2);
                reads.add(pool.submit(() -> read(key, "RACE")));
                if (i == 20) {
                    reads.get(0).get();
                    deletion = pool.submit(() -> api.delete("/api/credentials/" + id).org(org).as(owner).send());
                }
            }
            deletion.get().expect(204);
            for (Future<Api.Response> read : reads) {
                Api.Response answer = read.get();
                statuses.add(answer.status());
                if (answer.status() == 200) {
                    assertThat(answer.text("value")).isEqualTo(value);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(statuses).as("each read answered, with the value or not found").hasSize(60).isSubsetOf(200, 404);
        assertThat(statuses).as("reads before the deletion gave the value").contains(200);
        assertThat(read(keys.get(0), "RACE").status()).isEqualTo(404);
        List<JsonNode> audited = api.get("/api/audit?action=credential.read&limit=500").org(org).as(owner).send()
                .expect(200).items();
        assertThat(audited).as("one record for each value given").hasSize(
                (int) statuses.stream().filter(status -> status == 200).count());
    }

    /** Every one of many reads at once is on the record, once. */
    @Test
    void everyReadOfManyAtOnceIsRecordedOnce() throws Exception {
        String org = platform.createOrg("Vault busy");
        List<String> keys = List.of(platform.issueKey(platform.createAgent(org, "Busy 1")),
                platform.issueKey(platform.createAgent(org, "Busy 2")));
        String value = secret("busy");
        String id = create(org, owner, credential("BUSY", value)).expect(201).id();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> reads = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                String key = keys.get(i % 2);
                reads.add(pool.submit(() -> read(key, "BUSY").expect(200).text("value")));
            }
            for (Future<String> read : reads) {
                assertThat(read.get()).isEqualTo(value);
            }
        } finally {
            pool.shutdownNow();
        }
        List<JsonNode> history = api.get("/api/credentials/" + id + "/reads?limit=500").as(owner).send().expect(200)
                .items();
        assertThat(history).hasSize(48);
        assertThat(history.stream().map(r -> r.path("id").asString()).distinct()).hasSize(48);
        List<JsonNode> audited = api.get("/api/audit?action=credential.read&limit=500").org(org).as(owner).send()
                .expect(200).items();
        assertThat(audited).hasSize(48);
    }

    @Test
    void onlyTheVaultPageOpensCredentials() {
        String org = platform.createOrg("Vault pages");
        String without = platform.createUser("user", org, List.of("agents"));
        api.get("/api/credentials").org(org).as(without).send().expect(403);
        api.post("/api/credentials").org(org).as(without).json(credential("X", secret("x"))).send().expect(403);
        assertThat(credentialCount(org)).isZero();
        Set<String> kinds = Set.of("api_key", "oauth_token", "password", "smtp", "webhook_secret", "other");
        for (String kind : kinds) {
            create(org, owner, credential("K_" + kind, secret(kind), "kind", kind)).expect(201);
        }
        assertThat(credentialCount(org)).isEqualTo(kinds.size());
    }
}
