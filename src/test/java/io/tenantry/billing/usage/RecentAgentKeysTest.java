package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
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
import io.tenantry.support.UsageEvents;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Usage reports authenticate with a principal read up to a minute ago; the transaction that
 * stores a report checks it again. Each test first shows that the server still holds the
 * old principal, so what refuses the report is that check, as it would be for a change
 * made on another node.
 */
@TenantryTest
class RecentAgentKeysTest extends ServerTest {

    @Autowired
    RecentAgentKeys recentKeys;

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    private List<String> storedOrgs(String eventId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select cast(org_id as varchar(36)) from usage_events where event_id = :id").param("id", eventId)
                .query(String.class).list());
    }

    private long storedEvents(String agentId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select count(*) from usage_events where cast(agent_id as varchar(36)) = :agent")
                .param("agent", agentId).query(Long.class).single());
    }

    @Test
    void aKeyRevokedAfterItsPrincipalWasReadStoresNothingMore() {
        String agent = platform.createAgent(platform.createOrg("Revoked reporter"), "Soon revoked");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        api.post("/agent/v1/usage").as(key).json(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now())).send()
                .expect(201);
        api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);
        assertThat(recentKeys.principal(key)).as("still remembered: only the store's check stands in the way")
                .isPresent();

        Map<String, Object> afterRevoking = UsageEvents.event("gpt-4o", 2, 2, 0, Instant.now());
        Api.Response refused = api.post("/agent/v1/usage").as(key).json(afterRevoking).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.text("detail")).contains("valid agent key");
        assertThat(storedOrgs((String) afterRevoking.get("eventId"))).isEmpty();
        assertThat(recentKeys.principal(key)).as("forgotten once found revoked").isEmpty();
    }

    /**
     * A key revoked while a node still remembers it is told so as on any other request: the
     * same 401, in the same shape, before anything is said about its report.
     */
    @Test
    void aRevokedKeyStillRememberedGetsTheSame401EvenForABadReport() {
        String agent = platform.createAgent(platform.createOrg("Revoked, then careless"), "Soon revoked");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        api.post("/agent/v1/usage").as(key).json(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now())).send()
                .expect(201);
        api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204);
        assertThat(recentKeys.principal(key)).isPresent();

        Map<String, Object> malformed = UsageEvents.event("gpt-4o", -5, 1, 0, Instant.now());
        Api.Response remembered = api.post("/agent/v1/usage").as(key).json(malformed).send();
        Api.Response unknown = api.post("/agent/v1/usage").as(key).json(malformed).send();

        assertThat(remembered.status()).as(remembered.toString()).isEqualTo(401);
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(401);
        assertThat(fieldNames(remembered)).containsExactlyInAnyOrderElementsOf(fieldNames(unknown))
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "instance", "requestId");
        assertThat(remembered.text("detail")).isEqualTo(unknown.text("detail"));
        assertThat(remembered.text("instance")).isEqualTo(unknown.text("instance")).isEqualTo("/agent/v1/usage");
    }

    private static List<String> fieldNames(Api.Response response) {
        List<String> names = new ArrayList<>();
        response.json().propertyNames().forEach(names::add);
        return names;
    }

    /** A browser sends cookies on its own: an agent key there is no credential. */
    @Test
    void anAgentKeyInTheSessionCookieIsNotACredential() {
        String agent = platform.createAgent(platform.createOrg("Cookie jar"), "Baked in");
        String key = platform.issueKey(agent);
        Map<String, Object> event = UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now());

        Api.Response refused = api.post("/agent/v1/usage").header("Cookie", "TENANTRY_SESSION=" + key).json(event)
                .send();

        assertThat(refused.status()).as(refused.toString()).isIn(401, 403);
        assertThat(storedOrgs((String) event.get("eventId"))).isEmpty();
        api.get("/agent/v1/me").header("Cookie", "TENANTRY_SESSION=" + key).send().expect(401);
        api.post("/agent/v1/usage").as(key).json(event).send().expect(201);
    }

    @Test
    void anAgentMovedAfterItsPrincipalWasReadNoLongerReportsForItsOldOrg() throws InterruptedException {
        String orgB = platform.createOrg("Left behind");
        String orgA = platform.createOrg("Moved to");
        String agent = platform.createAgent(orgB, "Mover");
        String key = platform.issueKey(agent);
        Instant inB = Instant.now();
        Thread.sleep(5);
        api.post("/agent/v1/usage").as(key).json(UsageEvents.event("gpt-4o", 1, 1, 0, inB)).send().expect(201);
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", orgA)).send().expect(200);
        assertThat(recentKeys.principal(key).map(AgentPrincipal::orgId).map(Object::toString))
                .as("the remembered principal still says B").contains(orgB);

        Map<String, Object> lateForB = UsageEvents.event("gpt-4o", 8, 8, 0, inB.plusMillis(1));
        Map<String, Object> forA = UsageEvents.event("gpt-4o", 9, 9, 0, Instant.now());
        // Outside tester: B named as the context was still accepted from the remembered principal.
        Map<String, Object> inBsContext = UsageEvents.event("gpt-4o", 7, 7, 0, Instant.now());
        Api.Response locked = api.post("/agent/v1/usage").as(key).org(orgB).json(inBsContext).send();
        assertThat(locked.status()).as(locked.toString()).isEqualTo(403);
        assertThat(storedOrgs((String) inBsContext.get("eventId"))).isEmpty();
        Api.Response refused = api.post("/agent/v1/usage").as(key).json(lateForB).send();
        Api.Response stored = api.post("/agent/v1/usage").as(key).json(forA).send();

        assertThat(refused.status()).as("B's past is an operator's import now: " + refused).isEqualTo(400);
        assertThat(refused.text("field")).isEqualTo("occurredAt");
        assertThat(stored.status()).as(stored.toString()).isEqualTo(201);
        assertThat(storedOrgs((String) lateForB.get("eventId"))).isEmpty();
        assertThat(storedOrgs((String) forA.get("eventId"))).containsExactly(orgA);
        assertThat(recentKeys.principal(key).map(AgentPrincipal::orgId).map(Object::toString)).contains(orgA);
    }

    /**
     * Sixteen reporters keep one key busy while it is revoked: every report acknowledged is
     * stored, every report begun after the revocation was acknowledged is refused, and no
     * report fails any other way.
     */
    @Test
    void reportsInFlightWhileTheKeyIsRevokedAreEachStoredOrRefusedAndNoneBegunAfterIsStored() throws Exception {
        String agent = platform.createAgent(platform.createOrg("Busy while revoked"), "Busy");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        KeyRevokedWhileBusy.Outcome outcome = KeyRevokedWhileBusy.run(api, owner, agent, issued.id(), 201,
                () -> api.post("/agent/v1/usage").as(key)
                        .json(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now())).send());

        assertThat(outcome.unexpected()).isEmpty();
        assertThat(outcome.accepted()).as("some reports went through before the revocation").isPositive();
        assertThat(outcome.acceptedAfterRevoking()).isZero();
        assertThat(storedEvents(agent)).as("every acknowledged report is stored, and only those")
                .isEqualTo(outcome.accepted());
    }
}
