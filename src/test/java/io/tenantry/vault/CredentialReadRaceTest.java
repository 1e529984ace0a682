package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;

/**
 * An agent's credential read is a lookup, then the record of the read (committed before the
 * value is given); here what other requests can do between the two is made to happen there.
 * The step between them, opening the org's data key, runs the test's interference first.
 * Whatever happens meanwhile, a value is given only on the record, and only to a key that
 * still reads it when the record is written.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=credential-read-race")
class CredentialReadRaceTest extends ServerTest {

    @MockitoSpyBean
    DataKeys dataKeys;

    /** Run once, by the next read, between its lookup and its record. */
    private final AtomicReference<Runnable> meanwhile = new AtomicReference<>();

    @BeforeEach
    void interfereBetweenLookupAndRecord() {
        meanwhile.set(null);
        doAnswer(call -> {
            Runnable interference = meanwhile.getAndSet(null);
            if (interference != null) {
                interference.run();
            }
            return call.callRealMethod();
        }).when(dataKeys).of(any(), any(), any());
    }

    @Test
    void aKeyRevokedMeanwhileReadsNothingAndNothingIsRecorded() {
        String org = platform.createOrg("Race revoke");
        String agent = platform.createAgent(org, "Revoked");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String value = VaultApiTest.secret("revoked");
        String id = create(org, "TOKEN", value).id();

        meanwhile.set(() -> api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204));
        Api.Response answer = read(issued.text("key"), "TOKEN");

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body()).doesNotContain(value);
        assertThat(meanwhile.get()).as("the revocation ran between the lookup and the record").isNull();
        assertNothingRecorded(org, id);
    }

    @Test
    void anAgentPausedMeanwhileReadsNothingAndNothingIsRecorded() {
        String org = platform.createOrg("Race pause");
        String agent = platform.createAgent(org, "Paused");
        String key = platform.issueKey(agent);
        String value = VaultApiTest.secret("paused");
        String id = create(org, "TOKEN", value).id();

        meanwhile.set(() -> api.post("/api/agents/" + agent + "/pause").as(owner)
                .json(Map.of("reason", "Race test")).send().expect(200));
        Api.Response answer = read(key, "TOKEN");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).doesNotContain(value);
        assertNothingRecorded(org, id);
    }

    /** Moved meanwhile, the agent reads what its new org holds under that name, on that org's record. */
    @Test
    void anAgentMovedMeanwhileReadsItsNewOrgsCredentialOnItsRecord() {
        String from = platform.createOrg("Race from");
        String to = platform.createOrg("Race to");
        String agent = platform.createAgent(from, "Mover");
        String key = platform.issueKey(agent);
        String fromValue = VaultApiTest.secret("from");
        String fromId = create(from, "TOKEN", fromValue).id();
        String toValue = VaultApiTest.secret("to");
        String toId = create(to, "TOKEN", toValue).id();

        meanwhile.set(() -> api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to))
                .send().expect(200));
        Api.Response answer = read(key, "TOKEN").expect(200);

        assertThat(answer.text("value")).isEqualTo(toValue);
        assertThat(answer.body()).doesNotContain(fromValue);
        assertNothingRecorded(from, fromId);
        assertThat(readsOf(toId)).hasSize(1);
    }

    /**
     * The agent's own credential, found first, deleted meanwhile: its org's credential of the
     * same name stood behind it all along, and is what the agent reads, on the record.
     */
    @Test
    void anAgentsOwnCredentialDeletedMeanwhileGivesWayToItsOrgsOnTheRecord() {
        String org = platform.createOrg("Race shadow");
        String agent = platform.createAgent(org, "Shadowed");
        String key = platform.issueKey(agent);
        String orgValue = VaultApiTest.secret("org");
        String orgId = create(org, "TOKEN", orgValue).id();
        String ownValue = VaultApiTest.secret("own");
        String ownId = create(org, "TOKEN", ownValue, "scope", "agent", "agentId", agent).id();

        meanwhile.set(() -> api.delete("/api/credentials/" + ownId).org(org).as(owner).send().expect(204));
        Api.Response answer = read(key, "TOKEN").expect(200);

        assertThat(answer.text("value")).isEqualTo(orgValue);
        assertThat(answer.text("scope")).isEqualTo("org");
        assertThat(readsOf(orgId)).hasSize(1);
        assertThat(auditedReads(org)).singleElement()
                .satisfies(event -> assertThat(event.path("targetId").asString()).isEqualTo(orgId));
    }

    /**
     * Deleted and made again between every lookup and its record, the credential is looked up
     * three times, then the read is refused as a conflict to retry, with nothing given and
     * nothing recorded; read again, it gives the latest value.
     */
    @Test
    void aCredentialReplacedUnderEveryLookupIsAConflictWithNothingRecorded() {
        String org = platform.createOrg("Race replace");
        String key = platform.issueKey(platform.createAgent(org, "Chaser"));
        AtomicReference<String> current = new AtomicReference<>(create(org, "TOKEN", VaultApiTest.secret("v0")).id());
        AtomicReference<String> latestValue = new AtomicReference<>();
        AtomicInteger replaced = new AtomicInteger();
        Runnable replace = new Runnable() {
            @Override
            public void run() {
                api.delete("/api/credentials/" + current.get()).org(org).as(owner).send().expect(204);
                latestValue.set(VaultApiTest.secret("v" + replaced.incrementAndGet()));
                current.set(create(org, "TOKEN", latestValue.get()).id());
                meanwhile.set(this);
            }
        };
        meanwhile.set(replace);
        Api.Response answer = read(key, "TOKEN");
        meanwhile.set(null);

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.text("detail")).contains("deleted while it was being read");
        assertThat(replaced.get()).as("one replacement under each of the three lookups").isEqualTo(3);
        assertThat(auditedReads(org)).isEmpty();
        assertThat(read(key, "TOKEN").expect(200).text("value")).isEqualTo(latestValue.get());
        assertThat(readsOf(current.get())).hasSize(1);
    }

    private Api.Response create(String org, String name, String value, Object... more) {
        return api.post("/api/credentials").org(org).as(owner).json(VaultApiTest.credential(name, value, more))
                .send().expect(201);
    }

    private Api.Response read(String key, String name) {
        return api.get("/agent/v1/credentials/" + name).as(key).send();
    }

    private List<JsonNode> readsOf(String credentialId) {
        return api.get("/api/credentials/" + credentialId + "/reads").as(owner).send().expect(200).items();
    }

    private List<JsonNode> auditedReads(String org) {
        return api.get("/api/audit?action=credential.read").org(org).as(owner).send().expect(200).items();
    }

    private void assertNothingRecorded(String org, String credentialId) {
        assertThat(readsOf(credentialId)).as("the credential's read history").isEmpty();
        assertThat(auditedReads(org)).as("the org's audit log").isEmpty();
    }
}
