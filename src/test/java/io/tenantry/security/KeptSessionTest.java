package io.tenantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.crypto.SecretToken;
import io.tenantry.identity.SessionAuthenticator;
import io.tenantry.support.Api;
import io.tenantry.support.KeyRevokedWhileBusy;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's busiest reads (agent list, organization list, knowledge search) authenticate
 * with a session principal read up to half a minute ago, and their first statement confirms
 * it. Each test first shows the server still keeps the old principal, so what decides the
 * request is that confirmation, as it would be for a change made on another node; the
 * request is then decided again on the session as it is now.
 */
@TenantryTest
class KeptSessionTest extends ServerTest {

    @Autowired
    SessionAuthenticator sessions;

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    private void assertStillKept(String token) {
        assertThat(sessions.kept(token, Instant.now())).as("still kept: only the confirmation stands in the way")
                .isPresent();
    }

    private List<String> agentNames(String token) {
        return api.get("/api/agents?limit=100").as(token).send().expect(200).items().stream()
                .map(agent -> agent.get("name").asString()).toList();
    }

    private void bind(String userId, String orgId, List<String> pages) {
        api.put("/api/users/" + userId + "/permissions").as(owner)
                .json(Map.of("clientOrgId", orgId, "pages", pages)).send().expect(200);
    }

    @Test
    void aUserBoundToAnotherOrgListsThatOrgsAgentsOnTheVeryNextRequest() {
        String first = platform.createOrg("Kept first");
        String second = platform.createOrg("Kept second");
        platform.createAgent(first, "First's agent");
        platform.createAgent(second, "Second's agent");
        String token = platform.createUser("user", first, List.of("agents"));
        assertThat(agentNames(token)).singleElement().asString().startsWith("First's agent");

        bind(platform.userId(token), second, List.of("agents"));
        assertStillKept(token);

        assertThat(agentNames(token)).singleElement().asString().startsWith("Second's agent");
    }

    @Test
    void aPageTakenAwayIsRefusedOnTheNextRequestAndAPageGrantedIsOpenAtOnce() {
        String org = platform.createOrg("Kept pages");
        String token = platform.createUser("user", org, List.of("agents"));
        api.get("/api/agents").as(token).send().expect(200);
        api.get("/api/organizations").as(token).send().expect(403);

        bind(platform.userId(token), org, List.of("organizations"));
        assertStillKept(token);

        Api.Response refused = api.get("/api/agents").as(token).send();
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("'agents' page");
        api.get("/api/organizations").as(token).send().expect(200);
    }

    @Test
    void anAdminMadeABoundUserSeesOnlyTheirOrgOnTheNextOrganizationList() {
        String org = platform.createOrg("Kept demotion");
        platform.createOrg("Kept other");
        String token = platform.createUser("admin", null, List.of());
        assertThat(api.get("/api/organizations?limit=100").as(token).send().expect(200).items()).hasSizeGreaterThan(1);

        String id = platform.userId(token);
        api.patch("/api/users/" + id).as(owner).json(Map.of("role", "user")).send().expect(200);
        bind(id, org, List.of("organizations"));
        assertStillKept(token);

        List<JsonNode> seen = api.get("/api/organizations?limit=100").as(token).send().expect(200).items();
        assertThat(seen).extracting(item -> item.get("id").asString()).containsExactly(org);
    }

    @Test
    void aSessionEndedElsewhereIsRefusedWithA401AsAnUnknownOneIs() {
        String token = platform.createUser("admin", null, List.of());
        api.get("/api/agents").as(token).send().expect(200);
        // As another node's sign-out would: only the database knows.
        transactions.write(OrgScope.none(), () -> jdbc.sql("delete from sessions where token_hash = :hash")
                .param("hash", SecretToken.hash(token)).update());
        assertStillKept(token);

        Api.Response refused = api.get("/api/agents").as(token).send();
        Api.Response unknown = api.get("/api/agents").as("tnt_s_never-issued").send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.text("detail")).isEqualTo(unknown.text("detail"));
        assertThat(sessions.kept(token, Instant.now())).as("forgotten once found ended").isEmpty();
    }

    @Test
    void aDeletedUserIsRefusedOnTheNextSearch() {
        String token = platform.createUser("admin", null, List.of());
        api.get("/api/knowledge/search?q=anything").as(token).send().expect(200);

        api.delete("/api/users/" + platform.userId(token)).as(owner).send().expect(204);
        assertStillKept(token);

        api.get("/api/knowledge/search?q=anything").as(token).send().expect(401);
    }

    /** A refusal for bad input would tell the holder of an ended session it had been valid. */
    @Test
    void anEndedSessionStillKeptGetsA401EvenForBadInput() {
        String token = platform.createUser("admin", null, List.of());
        api.get("/api/agents").as(token).send().expect(200);
        api.post("/api/auth/logout").as(token).send().expect(204);
        assertStillKept(token);

        Api.Response refused = api.get("/api/agents?limit=-5").as(token).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.text("detail")).startsWith("Log in first");
    }

    @Test
    void aSearchByAUserBoundToAnotherOrgFindsThatOrgsDocumentsOnly() {
        String first = platform.createOrg("Kept search first");
        String second = platform.createOrg("Kept search second");
        String word = "kestrel" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "");
        api.post("/api/knowledge/documents").as(owner).org(first)
                .json(Map.of("title", "First's notes", "content", "The " + word + " of the first org.")).send()
                .expect(201);
        api.post("/api/knowledge/documents").as(owner).org(second)
                .json(Map.of("title", "Second's notes", "content", "The " + word + " of the second org.")).send()
                .expect(201);
        String token = platform.createUser("user", first, List.of("knowledge"));
        assertThat(titles(token, word)).containsExactly("First's notes");

        bind(platform.userId(token), second, List.of("knowledge"));
        assertStillKept(token);

        assertThat(titles(token, word)).containsExactly("Second's notes");
    }

    private List<String> titles(String token, String word) {
        return api.get("/api/knowledge/search?q=" + word).as(token).send().expect(200).items().stream()
                .map(hit -> hit.get("title").asString()).toList();
    }

    /**
     * Sixteen readers keep one session busy with agent lists while it signs out: no list begun
     * after the sign-out was acknowledged is answered, and nothing but 200 and 401 is.
     */
    @Test
    void noListBegunAfterASignOutIsAnsweredWhileSixteenReadersRace() throws Exception {
        String token = platform.createUser("admin", null, List.of());
        api.get("/api/agents").as(token).send().expect(200);

        KeyRevokedWhileBusy.Outcome outcome = KeyRevokedWhileBusy.run(
                () -> api.post("/api/auth/logout").as(token).send().expect(204), 200,
                () -> api.get("/api/agents").as(token).send());

        assertThat(outcome.accepted()).as("lists answered before the sign-out").isPositive();
        assertThat(outcome.acceptedAfterRevoking()).as("lists begun after the sign-out and answered").isZero();
        assertThat(outcome.unexpected()).isEmpty();
    }
}
