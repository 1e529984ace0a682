package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.support.Api;
import io.tenantry.support.KeyRevokedWhileBusy;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * Credential reads authenticate with an agent principal read up to a minute ago; the
 * transaction that reads the credential confirms it first. Each test first shows that the
 * server still holds the old principal, so what decides the read is that confirmation, as
 * it would be for a change made on another node.
 */
@TenantryTest
class KeptReaderTest extends ServerTest {

    @Autowired
    RecentAgentKeys recentKeys;

    private String credential(String org, String name, String value) {
        return api.post("/api/credentials").as(owner).org(org).json(Map.of("name", name, "kind", "api_key", "value",
                value)).send().expect(201).id();
    }

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    private List<JsonNode> reads(String credentialId) {
        return api.get("/api/credentials/" + credentialId + "/reads?limit=100").as(owner).send().expect(200).items();
    }

    private long readCount(String credentialId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql("select count(*) from credential_reads where "
                + "cast(credential_id as varchar(36)) = :id").param("id", credentialId).query(Long.class).single());
    }

    @Test
    void aKeyRevokedAfterItsPrincipalWasKeptReadsNothingMore() {
        String org = platform.createOrg("Revoked reader");
        String agent = platform.createAgent(org, "Soon revoked");
        String secret = credential(org, "REVOKED_READER", "s3cret-revoked");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        api.get("/agent/v1/credentials/REVOKED_READER").as(key).send().expect(200);
        api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);
        assertThat(recentKeys.principal(key)).as("still kept: only the confirmation stands in the way").isPresent();

        Api.Response refused = api.get("/agent/v1/credentials/REVOKED_READER").as(key).send();
        Api.Response unknown = api.get("/agent/v1/credentials/REVOKED_READER").as(key).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("s3cret-revoked");
        assertThat(refused.text("detail")).isEqualTo(unknown.text("detail")).contains("valid agent key");
        assertThat(reads(secret)).as("only the read made before the revocation").hasSize(1);
        assertThat(recentKeys.principal(key)).as("forgotten once found revoked").isEmpty();
    }

    /** A kept key is told it was revoked before it is told what is wrong with the name it asks for. */
    @Test
    void aRevokedKeyStillKeptGetsA401EvenForABadName() {
        String org = platform.createOrg("Revoked, then careless reader");
        String agent = platform.createAgent(org, "Careless");
        credential(org, "CARELESS", "value");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        api.get("/agent/v1/credentials/CARELESS").as(key).send().expect(200);
        api.get("/agent/v1/credentials/-bad-name").as(key).send().expect(400);
        api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);
        assertThat(recentKeys.principal(key)).isPresent();

        api.get("/agent/v1/credentials/-bad-name").as(key).send().expect(401);
    }

    @Test
    void anAgentPausedAfterItsPrincipalWasKeptIsRefusedAndReadsAgainOnceResumed() {
        String org = platform.createOrg("Paused reader");
        String agent = platform.createAgent(org, "Pausable");
        String secret = credential(org, "PAUSED_READER", "value");
        String key = platform.issueKey(agent);
        api.get("/agent/v1/credentials/PAUSED_READER").as(key).send().expect(200);
        api.post("/api/agents/" + agent + "/pause").as(owner).json(Map.of("reason", "Paused for the test")).send()
                .expect(200);
        assertThat(recentKeys.principal(key).map(AgentPrincipal::status)).contains("active");

        Api.Response refused = api.get("/agent/v1/credentials/PAUSED_READER").as(key).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("paused");
        assertThat(reads(secret)).hasSize(1);

        api.post("/api/agents/" + agent + "/resume").as(owner).json(Map.of("reason", "Back to work")).send()
                .expect(200);
        api.get("/agent/v1/credentials/PAUSED_READER").as(key).send().expect(200);
        assertThat(reads(secret)).as("read again at once after the resume").hasSize(2);
    }

    @Test
    void anAgentMovedAfterItsPrincipalWasKeptReadsItsNewOrgsCredentialOnly() {
        String left = platform.createOrg("Reader left behind");
        String joined = platform.createOrg("Reader moved to");
        String agent = platform.createAgent(left, "Mover");
        String oldOrgs = credential(left, "SHARED_NAME", "value-of-the-org-left");
        String newOrgs = credential(joined, "SHARED_NAME", "value-of-the-org-joined");
        String key = platform.issueKey(agent);
        assertThat(api.get("/agent/v1/credentials/SHARED_NAME").as(key).send().expect(200).text("value"))
                .isEqualTo("value-of-the-org-left");
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", joined)).send().expect(200);
        assertThat(recentKeys.principal(key).map(AgentPrincipal::orgId).map(Object::toString)).contains(left);

        Api.Response inNewOrg = api.get("/agent/v1/credentials/SHARED_NAME").as(key).org(joined).send().expect(200);
        Api.Response read = api.get("/agent/v1/credentials/SHARED_NAME").as(key).send().expect(200);
        Api.Response inOldOrg = api.get("/agent/v1/credentials/SHARED_NAME").as(key).org(left).send();

        assertThat(inNewOrg.text("value")).as("asking in its new org works at once").isEqualTo("value-of-the-org-joined");
        assertThat(read.text("value")).isEqualTo("value-of-the-org-joined");
        assertThat(inOldOrg.status()).as(inOldOrg.toString()).isEqualTo(403);
        assertThat(reads(oldOrgs)).as("the org left recorded only the read made while the agent was there").hasSize(1);
        assertThat(reads(newOrgs)).hasSize(2);
        assertThat(recentKeys.principal(key).map(AgentPrincipal::orgId).map(Object::toString)).contains(joined);
    }

    @Test
    void aRenamedAgentReadsOnAndTheReadIsRecordedUnderItsNewName() {
        String org = platform.createOrg("Renamed reader");
        String agent = platform.createAgent(org, "Before the rename");
        String secret = credential(org, "RENAMED_READER", "value");
        String key = platform.issueKey(agent);
        api.get("/agent/v1/credentials/RENAMED_READER").as(key).send().expect(200);
        api.patch("/api/agents/" + agent).as(owner).json(Map.of("name", "After the rename")).send().expect(200);

        api.get("/agent/v1/credentials/RENAMED_READER").as(key).send().expect(200);

        List<String> names = reads(secret).stream().map(read -> read.path("agentName").asString()).toList();
        assertThat(names).hasSize(2).contains("After the rename").anyMatch(name -> name.startsWith("Before the rename"));
    }

    /**
     * Sixteen readers keep one key busy while it is revoked: every read answered is recorded,
     * no read begun after the revocation was acknowledged is answered, and none fails any
     * other way.
     */
    @Test
    void readsInFlightWhileTheKeyIsRevokedAreEachAnsweredOrRefusedAndNoneBegunAfterIsAnswered() throws Exception {
        String org = platform.createOrg("Busy reader while revoked");
        String agent = platform.createAgent(org, "Busy");
        String secret = credential(org, "BUSY_READER", "value");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        KeyRevokedWhileBusy.Outcome outcome = KeyRevokedWhileBusy.run(api, owner, agent, issued.id(), 200,
                () -> api.get("/agent/v1/credentials/BUSY_READER").as(key).send());

        assertThat(outcome.unexpected()).isEmpty();
        assertThat(outcome.accepted()).as("some reads went through before the revocation").isPositive();
        assertThat(outcome.acceptedAfterRevoking()).isZero();
        assertThat(readCount(secret)).as("every read answered is recorded, and only those").isEqualTo(outcome.accepted());
    }
}
