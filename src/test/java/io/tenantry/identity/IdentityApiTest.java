package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

@TenantryTest
class IdentityApiTest extends ServerTest {

    String newEmail() {
        return Platform.unique("person").replace(" ", "-") + "@tenantry.test";
    }

    String createUser(String token, String email, String role) {
        return api.post("/api/users").as(token)
                .json(Map.of("email", email, "name", "Person", "password", Platform.PASSWORD, "role", role)).send()
                .expect(201).id();
    }

    /**
     * One address written two ways is one account: composed or decomposed accents, a domain in
     * Unicode or in its ASCII form, a dot at the end of the domain (refused, not a second spelling).
     */
    @Test
    void oneAddressWrittenTwoWaysIsOneAccount() {
        String local = Platform.unique("twice").replace(" ", "-");
        String composed = local + "@t\u00e9st.example";
        String id = createUser(owner, composed, "user");
        for (String other : List.of(local + "@te\u0301st.example", local + "@xn--tst-bma.example",
                local.toUpperCase(java.util.Locale.ROOT) + "@T\u00c9ST.EXAMPLE", local + "@\uff54\u00e9st.example",
                local + "@t\u00e9st\uff0eexample")) {
            Api.Response again = api.post("/api/users").as(owner).json(Map.of("email", other, "name", "Twice",
                    "password", Platform.PASSWORD, "role", "user")).send();
            assertThat(again.status()).as(other + ": " + again).isEqualTo(409);
            assertThat(Platform.login(api, other, Platform.PASSWORD)).as(other).isNotBlank();
        }
        assertThat(Platform.login(api, composed + ".", Platform.PASSWORD)).as("signed in with the root's dot")
                .isNotBlank();
        assertThat(api.get("/api/users/" + id).as(owner).send().expect(200).text("email")).isEqualTo(composed);
        // IDNA 2008's faß, which the JDK's IDN would leave as xn--fa-hia.
        String sharpS = local + "@fa\u00df.example";
        createUser(owner, sharpS, "user");
        api.post("/api/users").as(owner).json(Map.of("email", local + "@xn--fa-hia.example", "name", "Twice",
                "password", Platform.PASSWORD, "role", "user")).send().expect(409);
        assertThat(Platform.login(api, local + "@xn--fa-hia.example", Platform.PASSWORD)).isNotBlank();
        // A dot at the end (written plain or full-width), a character that shows as nothing, a malformed domain.
        String fresh = newEmail();
        for (String refused : List.of(fresh + ".", fresh + "\uff0e", "f\u200dw-" + fresh, "f\u00adw-" + fresh,
                fresh.replace("@", "@ex.."), fresh.replace("@", "@xn--."))) {
            Api.Response answer = api.post("/api/users").as(owner).json(Map.of("email", refused, "name", "Refused",
                    "password", Platform.PASSWORD, "role", "user")).send();
            assertThat(answer.status()).as(refused + ": " + answer).isEqualTo(400);
            assertThat(answer.text("field")).isEqualTo("email");
        }
    }

    /**
     * A client user with the billing page reads their organization's record (its Billing tab
     * shows its terms), without its agents (the organizations page's) and nothing more: not the
     * list, not another org's, no change.
     */
    @Test
    void aUserWithTheBillingPageReadsTheirOrganizationsTermsAndNoMore() {
        String own = platform.createOrg("Billing reader's");
        String other = platform.createOrg("Not the billing reader's");
        platform.createAgent(own, "Listed elsewhere");
        String reader = platform.createUser("user", own, List.of("billing"));

        JsonNode record = api.get("/api/organizations/" + own).as(reader).send().expect(200).json();
        assertThat(record.path("currency").asString()).isEqualTo("USD");
        assertThat(record.has("agents")).as("the agents are the organizations page's").isFalse();
        assertThat(api.get("/api/organizations/" + own).as(owner).send().expect(200).json().path("agents").size())
                .isEqualTo(1);
        assertThat(api.get("/api/organizations/" + other).as(reader).send().status()).isIn(403, 404);
        api.get("/api/organizations").as(reader).send().expect(403);
        api.patch("/api/organizations/" + own).as(reader).json(Map.of("name", "Renamed")).send().expect(403);
        api.get("/api/organizations/" + own + "/deletion-check").as(reader).send().expect(403);
        assertThat(api.get("/api/organizations/" + own).as(owner).send().text("name")).isEqualTo(
                record.path("name").asString());
        api.get("/api/organizations/" + own).as(platform.createUser("user", own, List.of("agents"))).send()
                .expect(403);
    }

    @Test
    void setupAnswers409OnceAUserExists() {
        assertThat(api.get("/api/setup").send().expect(200).json().path("setupRequired").asBoolean()).isFalse();
        Api.Response again = api.post("/api/setup")
                .json(Map.of("email", "intruder@x.io", "name", "I", "password", Platform.PASSWORD)).send();

        assertThat(again.status()).isEqualTo(409);
        api.post("/api/auth/login").json(Map.of("email", "intruder@x.io", "password", Platform.PASSWORD)).send()
                .expect(401);
    }

    @Test
    void loginAnswersTokenAndUserAndSetsAnHttpOnlySessionCookie() {
        Api.Response login = api.post("/api/auth/login")
                .json(Map.of("email", Platform.OWNER_EMAIL.toUpperCase(), "password", Platform.PASSWORD)).send()
                .expect(200);

        String cookie = login.cookie(SessionCookie.NAME);
        assertThat(login.text("token")).isNotBlank();
        assertThat(login.json().path("user").path("role").asString()).isEqualTo("owner");
        assertThat(cookie).startsWith(SessionCookie.NAME + "=").contains("HttpOnly").contains("SameSite=Lax");
        // Beside it, a mark the dashboard's script reads, holding nothing of the session.
        assertThat(login.cookie(SessionCookie.HELD)).startsWith(SessionCookie.HELD + "=1;").doesNotContain("HttpOnly")
                .contains("SameSite=Lax").contains("Max-Age=" + cookie.replaceAll(".*Max-Age=(\\d+).*", "$1"));

        String session = cookie.substring(0, cookie.indexOf(';'));
        Api.Response me = api.get("/api/me").header("Cookie", session).send().expect(200);
        assertThat(me.text("email")).isEqualTo(Platform.OWNER_EMAIL);
        assertThat(me.json().path("pages").size()).isEqualTo(Page.values().length);
    }

    @Test
    void cookieSessionsNeedTheCsrfTokenForWritesBearerTokensDoNot() {
        Api.Response login = api.post("/api/auth/login")
                .json(Map.of("email", Platform.OWNER_EMAIL, "password", Platform.PASSWORD)).send().expect(200);
        String session = login.cookie(SessionCookie.NAME).split(";")[0];

        Api.Response refused = api.post("/api/organizations").header("Cookie", session)
                .json(Map.of("name", Platform.unique("Forged"))).send().expect(403);
        assertThat(refused.text("detail")).contains("CSRF");

        String xsrf = api.get("/api/me").header("Cookie", session).send().cookie("XSRF-TOKEN");
        assertThat(xsrf).as("the XSRF-TOKEN cookie is handed out").isNotNull();
        String csrf = xsrf.substring("XSRF-TOKEN=".length(), xsrf.indexOf(';'));
        // A browser sends the cookie back on every request; it must stay valid (not be cleared).
        Api.Response again = api.get("/api/me").header("Cookie", session + "; XSRF-TOKEN=" + csrf).send().expect(200);
        assertThat(again.cookie("XSRF-TOKEN")).as("the XSRF-TOKEN cookie is left alone").isNull();
        assertThat(login.cookie("XSRF-TOKEN")).as("logging in rotates the CSRF token").startsWith("XSRF-TOKEN=;");
        api.post("/api/organizations").header("Cookie", session + "; XSRF-TOKEN=" + csrf).header("X-XSRF-TOKEN", csrf)
                .json(Map.of("name", Platform.unique("Genuine"))).send().expect(201);
        api.post("/api/organizations").as(login.text("token")).json(Map.of("name", Platform.unique("Scripted")))
                .send().expect(201);
    }

    @Test
    void logoutEndsTheSession() {
        String token = Platform.login(api, Platform.OWNER_EMAIL, Platform.PASSWORD);
        api.get("/api/me").as(token).send().expect(200);

        Api.Response out = api.post("/api/auth/logout").as(token).send().expect(204);

        assertThat(out.cookie(SessionCookie.NAME)).contains("Max-Age=0");
        assertThat(out.cookie(SessionCookie.HELD)).startsWith(SessionCookie.HELD + "=;").contains("Max-Age=0");
        api.get("/api/me").as(token).send().expect(401);
    }

    @Test
    void aLogoutThatClearsTheCookieEndsItsSessionWhateverElseItCarries() {
        for (String authorization : List.of("Basic b3duZXI6cGFzcw==", "Bearer other")) {
            String cookieToken = Platform.login(api, Platform.OWNER_EMAIL, Platform.PASSWORD);
            String bearer = Platform.login(api, Platform.OWNER_EMAIL, Platform.PASSWORD);
            String sent = authorization.equals("Bearer other") ? "Bearer " + bearer : authorization;

            Api.Response out = api.post("/api/auth/logout").header("Authorization", sent)
                    .header("Cookie", SessionCookie.NAME + "=" + cookieToken).send().expect(204);

            assertThat(out.cookie(SessionCookie.NAME)).contains("Max-Age=0");
            assertThat(api.get("/api/me").header("Cookie", SessionCookie.NAME + "=" + cookieToken).send().status())
                    .as("the cleared cookie's session, logged out with %s", authorization).isEqualTo(401);
            assertThat(api.get("/api/me").as(bearer).send().status()).as("the bearer token, logged out with %s",
                    authorization).isEqualTo(sent.startsWith("Bearer") ? 401 : 200);
        }
    }

    @Test
    void logoutReadsTheBearerSchemeInAnyCase() {
        for (String scheme : List.of("bearer", "BEARER", "Bearer")) {
            String token = Platform.login(api, Platform.OWNER_EMAIL, Platform.PASSWORD);
            api.get("/api/me").header("Authorization", scheme + " " + token).send().expect(200);

            api.post("/api/auth/logout").header("Authorization", scheme + " " + token).send().expect(204);

            assertThat(api.get("/api/me").as(token).send().status()).as("the token after logging out with '%s'",
                    scheme).isEqualTo(401);
        }
    }

    @Test
    void unknownAddressesAndBadLoginBodiesAnswerClearly() {
        api.post("/api/auth/login").json(Map.of("email", "nobody@nowhere.io", "password", "whatever it is")).send()
                .expect(401);
        api.post("/api/auth/login").json(Map.of("password", "x")).send().expect(400);
        api.post("/api/auth/login").raw("{").send().expect(400);
        api.post("/api/auth/login").json(Map.of("email", "a@b.io", "password", "p".repeat(100_000))).send()
                .expect(401);
    }

    @Test
    void onlyAnOwnerCreatesOrPromotesOwnersAndAdmins() {
        String admin = platform.createUser("admin", null, List.of());
        String plainId = createUser(owner, newEmail(), "user");

        api.post("/api/users").as(admin).json(Map.of("email", newEmail(), "name", "A", "password", Platform.PASSWORD,
                "role", "admin")).send().expect(403);
        api.post("/api/users").as(admin).json(Map.of("email", newEmail(), "name", "O", "password", Platform.PASSWORD,
                "role", "owner")).send().expect(403);
        api.patch("/api/users/" + plainId).as(admin).json(Map.of("role", "admin")).send().expect(403);
        createUser(admin, newEmail(), "user");

        api.patch("/api/users/" + plainId).as(owner).json(Map.of("role", "admin")).send().expect(200);
        assertThat(api.get("/api/users/" + plainId).as(owner).send().text("role")).isEqualTo("admin");
    }

    @Test
    void anAdminCannotChangeOrDeleteAnOwner() {
        String admin = platform.createUser("admin", null, List.of());
        String secondOwner = createUser(owner, newEmail(), "owner");

        api.patch("/api/users/" + secondOwner).as(admin).json(Map.of("name", "Demoted?")).send().expect(403);
        api.put("/api/users/" + secondOwner + "/permissions").as(admin).json(Platform.unbound(Map.of("pages", List.of()))).send()
                .expect(403);
        api.delete("/api/users/" + secondOwner).as(admin).send().expect(403);

        assertThat(api.get("/api/users/" + secondOwner).as(owner).send().text("role")).isEqualTo("owner");
    }

    @Test
    void theLastOwnerCannotBeDeletedOrDemoted() {
        String ownerId = platform.userId(owner);
        String other = createUser(owner, newEmail(), "owner");
        api.delete("/api/users/" + other).as(owner).send().expect(204);

        Api.Response demote = api.patch("/api/users/" + ownerId).as(owner).json(Map.of("role", "admin")).send();
        Api.Response delete = api.delete("/api/users/" + ownerId).as(owner).send();

        assertThat(demote.status()).isEqualTo(409);
        assertThat(demote.text("detail")).contains("last owner");
        assertThat(delete.status()).isEqualTo(409);
        assertThat(api.get("/api/me").as(owner).send().text("role")).isEqualTo("owner");
    }

    /** Two owners demoting each other at once deadlocked now and then (a 503 to one of them). */
    @Test
    void twoOwnersDemotingEachOtherAtOnceAreAnsweredInTurn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 8; round++) {
                String firstEmail = newEmail();
                String secondEmail = newEmail();
                String first = createUser(owner, firstEmail, "owner");
                String second = createUser(owner, secondEmail, "owner");
                String firstToken = Platform.login(api, firstEmail, Platform.PASSWORD);
                String secondToken = Platform.login(api, secondEmail, Platform.PASSWORD);
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                Future<Api.Response> one = pool.submit(() -> {
                    start.await();
                    return api.patch("/api/users/" + second).as(firstToken).json(Map.of("role", "admin")).send();
                });
                Future<Api.Response> other = pool.submit(() -> {
                    start.await();
                    return api.patch("/api/users/" + first).as(secondToken).json(Map.of("role", "admin")).send();
                });
                start.countDown();
                for (Api.Response answer : List.of(one.get(), other.get())) {
                    // 200, or refused by the first change: the second caller is an owner no more (401, 403).
                    assertThat(answer.status()).as("round %d: %s", round, answer).isIn(200, 401, 403);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Two-node tester: a user bound to an organization deleted at the same moment got past
     * the check that it exists, and the foreign key's refusal answered a bare 409 (logged with
     * its stack). The binding and the deletion are answered in turn: one of them says why.
     */
    @Test
    void aBindingAndTheDeletionOfItsOrganizationAtOnceAreAnsweredInTurn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 12; round++) {
                String org = platform.createOrg("Deleted while bound " + round);
                String moved = createUser(owner, newEmail(), "user");
                String email = newEmail();
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                Future<Api.Response> delete = pool.submit(() -> {
                    start.await();
                    return api.delete("/api/organizations/" + org).as(owner).send();
                });
                Future<Api.Response> bind = pool.submit(() -> {
                    start.await();
                    return api.put("/api/users/" + moved + "/permissions").as(owner).json(Map.of("role", "user",
                            "pages", List.of("users"), "clientOrgId", org)).send();
                });
                Future<Api.Response> create = pool.submit(() -> {
                    start.await();
                    return api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Bound late",
                            "password", Platform.PASSWORD, "role", "user", "pages", List.of("agents"),
                            "clientOrgId", org)).send();
                });
                start.countDown();
                Api.Response deleted = delete.get();
                for (Api.Response binding : List.of(bind.get(), create.get())) {
                    if (deleted.status() == 204) {
                        assertThat(binding.status()).as("round %d: %s", round, binding).isEqualTo(404);
                        assertThat(binding.text("detail")).contains("client organization");
                    } else {
                        assertThat(binding.status()).as("round %d: %s", round, binding).isIn(200, 201);
                    }
                }
                if (deleted.status() != 204) {
                    assertThat(deleted.status()).as("round %d: %s", round, deleted).isEqualTo(409);
                    assertThat(deleted.text("detail")).contains("bound to this organization");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pagePermissionsAreEnforcedByTheApi() {
        String user = platform.createUser("user", null, List.of("agents"));

        api.get("/api/agents").as(user).send().expect(200);
        Api.Response refused = api.get("/api/organizations").as(user).send().expect(403);
        api.get("/api/users").as(user).send().expect(403);
        api.get("/api/audit").as(user).send().expect(403);

        assertThat(refused.text("detail")).contains("organizations");
        assertThat(api.get("/api/me").as(user).send().json().path("pages").toString()).isEqualTo("[\"agents\"]");
    }

    @Test
    void aChangeOfPagesBindingOrRoleAppliesOnTheVeryNextRequest() {
        String orgA = platform.createOrg("Next A");
        String orgB = platform.createOrg("Next B");
        platform.createAgent(orgB, "Only in B");
        String email = newEmail();
        String id = createUser(owner, email, "user");
        String token = Platform.login(api, email, Platform.PASSWORD);
        api.get("/api/agents").as(token).send().expect(403);

        api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("pages", List.of("agents"),
                "clientOrgId", orgA)).send().expect(200);
        api.get("/api/agents").as(token).org(orgB).send().expect(403);
        assertThat(api.get("/api/org-context").as(token).send().json().path("locked").asBoolean()).isTrue();

        api.put("/api/users/" + id + "/permissions").as(owner).json(Platform.unbound(Map.of("role", "admin",
                "pages", List.of()))).send().expect(200);
        api.get("/api/agents").as(token).org(orgB).send().expect(200);
        assertThat(api.get("/api/org-context").as(token).send().json().path("locked").asBoolean())
                .as("admins are never locked").isFalse();

        api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("role", "user", "pages",
                List.of("agents"), "clientOrgId", orgA)).send().expect(200);
        api.get("/api/agents").as(token).org(orgB).send().expect(403);
    }

    /** Writes found users in the org context as reads do: under org A, B's users and unbound ones are not there. */
    @Test
    void userWritesFollowTheOrgContextAsReadsDo() {
        String orgA = platform.createOrg("Context A");
        String orgB = platform.createOrg("Context B");
        String inB = api.post("/api/users").as(owner).json(Map.of("email", newEmail(), "name", "In B", "password",
                Platform.PASSWORD, "role", "user", "clientOrgId", orgB)).send().expect(201).id();
        String unbound = createUser(owner, newEmail(), "user");
        for (String id : List.of(inB, unbound)) {
            api.get("/api/users/" + id).as(owner).org(orgA).send().expect(404);
            api.patch("/api/users/" + id).as(owner).org(orgA).json(Map.of("name", "Renamed under A")).send()
                    .expect(404);
            api.put("/api/users/" + id + "/permissions").as(owner).org(orgA).json(Map.of("pages", List.of("agents"),
                    "clientOrgId", orgA)).send().expect(404);
            api.delete("/api/users/" + id).as(owner).org(orgA).send().expect(404);
            JsonNode user = api.get("/api/users/" + id).as(owner).send().expect(200).json();
            assertThat(user.path("name").asString()).isNotEqualTo("Renamed under A");
            assertThat(user.path("pages").toString()).isEqualTo("[\"dashboard\"]");
        }
        api.patch("/api/users/" + inB).as(owner).org(orgB).json(Map.of("name", "Renamed under B")).send().expect(200);
        // Nor is a user created under A where A would not find it.
        for (String binding : java.util.Arrays.asList(orgB, null)) {
            String email = newEmail();
            Map<String, Object> body = new java.util.HashMap<>(Map.of("email", email, "name", "Elsewhere",
                    "password", Platform.PASSWORD, "role", "user"));
            body.put("clientOrgId", binding);
            Api.Response created = api.post("/api/users").as(owner).org(orgA).json(body).send();
            assertThat(created.status()).as(created.toString()).isEqualTo(400);
            assertThat(created.text("field")).isEqualTo("clientOrgId");
            assertThat(api.post("/api/auth/login").json(Map.of("email", email, "password", Platform.PASSWORD)).send()
                    .status()).as("no such user was made").isEqualTo(401);
        }
        String inA = api.post("/api/users").as(owner).org(orgA).json(Map.of("email", newEmail(), "name", "In A",
                "password", Platform.PASSWORD, "role", "user", "clientOrgId", orgA)).send().expect(201).id();
        api.patch("/api/users/" + unbound).as(owner).json(Map.of("name", "Renamed with no context")).send()
                .expect(200);
        // Nor is a user of A moved out of it by a change made in A's context (outside tester):
        // moving someone between organizations is done without one, as creating them elsewhere is.
        for (String binding : java.util.Arrays.asList(orgB, null)) {
            Map<String, Object> move = new java.util.HashMap<>(Map.of("name", "Moved under A"));
            move.put("clientOrgId", binding);
            Api.Response moved = api.patch("/api/users/" + inA).as(owner).org(orgA).json(move).send();
            assertThat(moved.status()).as(moved.toString()).isEqualTo(400);
            assertThat(moved.text("field")).isEqualTo("clientOrgId");
            Map<String, Object> permissions = new java.util.HashMap<>(Map.of("pages", List.of("agents")));
            permissions.put("clientOrgId", binding);
            api.put("/api/users/" + inA + "/permissions").as(owner).org(orgA).json(permissions).send().expect(400);
        }
        JsonNode stayed = api.get("/api/users/" + inA).as(owner).send().expect(200).json();
        assertThat(stayed.path("clientOrgId").asString()).isEqualTo(orgA);
        assertThat(stayed.path("name").asString()).isEqualTo("In A");
        api.patch("/api/users/" + inA).as(owner).org(orgA).json(Map.of("clientOrgId", orgA, "pages",
                List.of("agents"))).send().expect(200);
        assertThat(api.patch("/api/users/" + inA).as(owner).json(Map.of("clientOrgId", orgB)).send().expect(200)
                .text("clientOrgId")).as("without a context, an operator moves them").isEqualTo(orgB);
    }

    /**
     * The dashboard's user editor saved name and e-mail with PATCH, then permissions with PUT:
     * a refused second request left the first applied. One PATCH now carries it all, and a
     * refusal of any part changes nothing.
     */
    @Test
    void aPatchChangesAccountAndPermissionsTogetherOrNotAtAll() {
        String org = platform.createOrg("Edited together");
        String taken = newEmail();
        createUser(owner, taken, "user");
        String email = newEmail();
        String id = createUser(owner, email, "user");

        Api.Response refused = api.patch("/api/users/" + id).as(owner).json(Map.of("name", "Renamed", "email", taken,
                "pages", List.of("agents"), "clientOrgId", org)).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.text("field")).isEqualTo("email");
        JsonNode unchanged = api.get("/api/users/" + id).as(owner).send().expect(200).json();
        assertThat(unchanged.path("name").asString()).isNotEqualTo("Renamed");
        assertThat(unchanged.path("pages").toString()).isEqualTo("[\"dashboard\"]");
        assertThat(unchanged.path("clientOrgId").isNull()).isTrue();
        Api.Response notAnId = api.patch("/api/users/" + id).as(owner).json(Map.of("name", "Renamed",
                "clientOrgId", 7)).send();
        assertThat(notAnId.status()).as(notAnId.toString()).isEqualTo(400);
        assertThat(notAnId.text("detail")).isEqualTo("clientOrgId must be an organization's id, or null for none.");
        Api.Response noEmail = api.patch("/api/users/" + id).as(owner).json(Map.of("name", "Renamed", "email", " "))
                .send();
        assertThat(noEmail.status()).as(noEmail.toString()).isEqualTo(400);
        assertThat(noEmail.text("detail")).isEqualTo("email is required.");
        assertThat(api.get("/api/users/" + id).as(owner).send().text("name")).isNotEqualTo("Renamed");

        JsonNode saved = api.patch("/api/users/" + id).as(owner).json(Map.of("name", "Renamed", "role", "user",
                "pages", List.of("agents"), "client_org_id", org)).send().expect(200).json();
        assertThat(saved.path("name").asString()).isEqualTo("Renamed");
        assertThat(saved.path("pages").toString()).isEqualTo("[\"agents\"]");
        assertThat(saved.path("clientOrgId").asString()).isEqualTo(org);
        String token = Platform.login(api, email, Platform.PASSWORD);
        assertThat(api.get("/api/org-context").as(token).send().json().path("locked").asBoolean()).isTrue();
        for (String action : List.of("user.updated", "user.permissions_changed")) {
            List<String> about = new java.util.ArrayList<>();
            api.get("/api/audit?action=" + action).as(owner).send().expect(200).json().path("items")
                    .forEach(event -> about.add(event.path("targetId").asString()));
            assertThat(about).as(action + ": the account's change and the permissions' are each an event")
                    .contains(id);
        }

        String since = "/api/audit?limit=500&from=" + saved.path("updatedAt").asString();
        long events = api.get(since).as(owner).send().expect(200).items().stream()
                .filter(e -> e.path("targetId").asString().equals(id) && e.path("action").asString()
                        .matches("user\\.(updated|permissions_changed)")).count();
        assertThat(events).as("the save's two events").isEqualTo(2);
        JsonNode again = api.patch("/api/users/" + id).as(owner).json(Map.of("name", "Renamed", "role", "user",
                "pages", List.of("agents"), "clientOrgId", org)).send().expect(200).json();
        assertThat(again.path("updatedAt").asString()).as("a change that changes nothing")
                .isEqualTo(saved.path("updatedAt").asString());
        assertThat(api.get(since).as(owner).send().expect(200).items()).as("is no event")
                .filteredOn(e -> e.path("targetId").asString().equals(id) && e.path("action").asString()
                        .matches("user\\.(updated|permissions_changed)")).hasSize(2);

        Api.Response promotedBound = api.patch("/api/users/" + id).as(owner).json(Map.of("role", "admin",
                "clientOrgId", org)).send();
        assertThat(promotedBound.status()).as(promotedBound.toString()).isEqualTo(400);
        assertThat(promotedBound.text("field")).isEqualTo("clientOrgId");
        Map<String, Object> unbind = new java.util.HashMap<>(Map.of("role", "admin"));
        unbind.put("clientOrgId", null);
        assertThat(api.patch("/api/users/" + id).as(owner).json(unbind).send().expect(200).text("role"))
                .isEqualTo("admin");
    }

    /** Only role user is bound: promoting a bound user with PATCH kept a binding that then meant nothing. */
    @Test
    void aBoundUserIsNotPromotedByPatch() {
        String org = platform.createOrg("Bound and promoted");
        String id = api.post("/api/users").as(owner).json(Map.of("email", newEmail(), "name", "Promoted",
                "password", Platform.PASSWORD, "role", "user", "clientOrgId", org)).send().expect(201).id();

        Api.Response promoted = api.patch("/api/users/" + id).as(owner).json(Map.of("role", "admin")).send();

        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(400);
        assertThat(promoted.text("field")).isEqualTo("role");
        JsonNode user = api.get("/api/users/" + id).as(owner).send().expect(200).json();
        assertThat(user.path("role").asString()).isEqualTo("user");
        assertThat(user.path("clientOrgId").asString()).isEqualTo(org);
        api.put("/api/users/" + id + "/permissions").as(owner)
                .json(Platform.unbound(Map.of("role", "admin", "pages", List.of()))).send().expect(200);
        assertThat(api.get("/api/users/" + id).as(owner).send().expect(200).text("role")).isEqualTo("admin");
    }

    /**
     * Owners and admins see every organization, so an admin asked for bound to one (which
     * would be stored and then ignored, reading as a restriction that is not there) is
     * refused on creation and in the permission editor, and nothing is stored or changed.
     */
    @Test
    void anAdminOrOwnerAskedForBoundToAnOrganizationIsRefused() {
        String org = platform.createOrg("Not for admins");
        String email = newEmail();
        for (String role : List.of("admin", "owner")) {
            Api.Response refused = api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Bound " + role,
                    "password", Platform.PASSWORD, "role", role, "clientOrgId", org)).send().expect(400);
            assertThat(refused.text("field")).isEqualTo("clientOrgId");
            assertThat(refused.text("detail")).contains(role + "s see every organization");
        }
        api.post("/api/auth/login").json(Map.of("email", email, "password", Platform.PASSWORD)).send().expect(401);

        String id = createUser(owner, newEmail(), "user");
        JsonNode before = api.get("/api/users/" + id).as(owner).send().expect(200).json();
        Api.Response refused = api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("role", "admin",
                "pages", List.of("agents"), "clientOrgId", org)).send().expect(400);
        assertThat(refused.text("field")).isEqualTo("clientOrgId");
        assertThat(api.get("/api/users/" + id).as(owner).send().expect(200).json()).isEqualTo(before);

        JsonNode admin = api.put("/api/users/" + id + "/permissions").as(owner).json(Platform.unbound(Map.of("role",
                "admin", "pages", List.of()))).send().expect(200).json();
        assertThat(admin.path("role").asString()).isEqualTo("admin");
        assertThat(admin.path("clientOrgId").isMissingNode() || admin.path("clientOrgId").isNull()).isTrue();
    }

    @Test
    void permissionsLeavingOutTheBindingAreRefusedNotTakenAsUnbound() {
        String org = platform.createOrg("Kept binding");
        String other = platform.createOrg("Not theirs");
        platform.createAgent(other, "Someone else's agent");
        String token = platform.createUser("user", org, List.of("agents"));
        String id = platform.userId(token);

        Api.Response refused = api.put("/api/users/" + id + "/permissions").as(owner)
                .json(Map.of("pages", List.of("agents", "billing"))).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.text("field")).isEqualTo("clientOrgId");
        assertThat(api.get("/api/users/" + id).as(owner).send().expect(200).text("clientOrgId")).isEqualTo(org);
        for (String blank : List.of("", "   ")) {
            Api.Response empty = api.put("/api/users/" + id + "/permissions").as(owner)
                    .json(Map.of("pages", List.of("agents"), "clientOrgId", blank)).send();
            assertThat(empty.status()).as(empty.toString()).isEqualTo(400);
            assertThat(empty.text("field")).isEqualTo("clientOrgId");
            Api.Response created = api.post("/api/users").as(owner).json(Map.of("email", newEmail(), "name", "N",
                    "password", Platform.PASSWORD, "clientOrgId", blank)).send();
            assertThat(created.status()).as(created.toString()).isEqualTo(400);
        }
        api.get("/api/agents").as(token).org(other).send().expect(403);
        assertThat(api.get("/api/users/" + id).as(owner).send().expect(200).text("clientOrgId")).isEqualTo(org);
        api.put("/api/users/" + id + "/permissions").as(owner)
                .raw("{\"pages\":[\"agents\"],\"client_org_id\":\"" + org + "\"}").send().expect(200);
    }

    @Test
    void rolePagesAndBindingAreSavedTogetherOrNotAtAll() {
        String org = platform.createOrg("Together");
        String id = createUser(owner, newEmail(), "user");
        String admin = platform.createUser("admin", null, List.of());
        JsonNode before = api.get("/api/users/" + id).as(owner).send().expect(200).json();

        api.put("/api/users/" + id + "/permissions").as(owner).json(Platform.unbound(Map.of("role", "admin", "pages",
                List.of("agents", "nope")))).send().expect(400);
        api.put("/api/users/" + id + "/permissions").as(admin).json(Platform.unbound(Map.of("role", "owner", "pages",
                List.of("agents")))).send().expect(403);
        api.put("/api/users/" + id + "/permissions").as(owner).json(Platform.unbound(Map.of("role", "chief", "pages",
                List.of("agents")))).send().expect(400);
        assertThat(api.get("/api/users/" + id).as(owner).send().expect(200).json()).isEqualTo(before);

        JsonNode saved = api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("role", "user",
                "pages", List.of("agents", "billing"), "clientOrgId", org)).send().expect(200).json();
        assertThat(saved.path("clientOrgId").asString()).isEqualTo(org);
        assertThat(saved.path("pages").toString()).contains("agents").contains("billing");
        assertThat(api.get("/api/audit?action=user.permissions_changed").as(owner).org(org).send().body())
                .contains(id);
    }

    /**
     * A user moved from one organization to another is on both logs, each naming only its
     * own organization: the one it left sees it leave, the one it joined sees it come.
     */
    @Test
    void aUserMovedBetweenOrganizationsIsOnBothLogsAndNeitherNamesTheOther() {
        String first = platform.createOrg("Left behind");
        String second = platform.createOrg("Moved to");
        String email = newEmail();
        String id = createUser(owner, email, "user");
        String firstReader = platform.createUser("user", first, List.of("audit", "users"));
        String secondReader = platform.createUser("user", second, List.of("audit", "users"));
        api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("role", "user", "pages",
                List.of("agents"), "clientOrgId", first)).send().expect(200);

        api.put("/api/users/" + id + "/permissions").as(owner).json(Map.of("role", "user", "pages",
                List.of("agents", "audit"), "clientOrgId", second)).send().expect(200);

        List<JsonNode> left = api.get("/api/audit?action=user.permissions_changed").as(firstReader).send().expect(200)
                .items().stream().filter(e -> id.equals(e.path("targetId").asString())).toList();
        List<JsonNode> joined = api.get("/api/audit?action=user.permissions_changed").as(secondReader).send()
                .expect(200).items().stream().filter(e -> id.equals(e.path("targetId").asString())).toList();
        assertThat(left).hasSize(2);
        assertThat(left.get(0).path("before").path("clientOrgId").asString()).isEqualTo(first);
        assertThat(left.get(0).path("after").path("otherOrg").asBoolean()).isTrue();
        assertThat(left.get(0).path("after").has("clientOrgId")).isFalse();
        assertThat(left.toString()).doesNotContain(second);
        assertThat(joined).hasSize(1);
        assertThat(joined.get(0).path("after").path("clientOrgId").asString()).isEqualTo(second);
        assertThat(joined.get(0).path("before").path("otherOrg").asBoolean()).isTrue();
        assertThat(joined.get(0).path("before").path("email").asString()).isEqualTo(email);
        assertThat(joined.toString()).doesNotContain(first);

        api.put("/api/users/" + id + "/permissions").as(owner).json(Platform.unbound(Map.of("role", "user", "pages",
                List.of("agents")))).send().expect(200);

        List<JsonNode> unbound = api.get("/api/audit?action=user.permissions_changed").as(secondReader).send()
                .expect(200).items().stream().filter(e -> id.equals(e.path("targetId").asString())).toList();
        assertThat(unbound).hasSize(2);
        JsonNode unboundAfter = unbound.get(0).path("after");
        assertThat(unboundAfter.path("clientOrgId").isNull() || unboundAfter.path("clientOrgId").isMissingNode())
                .as(unboundAfter.toString()).isTrue();
        assertThat(unboundAfter.has("otherOrg")).isFalse();
        assertThat(unbound.toString()).doesNotContain(first);
    }

    @Test
    void aPasswordChangeEndsTheUsersSessions() {
        String email = newEmail();
        String id = createUser(owner, email, "user");
        String token = Platform.login(api, email, Platform.PASSWORD);

        api.patch("/api/users/" + id).as(owner).json(Map.of("password", "another long password")).send().expect(200);

        api.get("/api/me").as(token).send().expect(401);
        Platform.login(api, email, "another long password");
    }

    /**
     * A sign-in that checked the old password while it was being changed got a session after
     * the change had ended the others, and it kept working (an outside tester: 3 of 17).
     */
    @Test
    void noSignInThatCheckedTheOldPasswordKeepsASessionPastTheChange() throws Exception {
        String email = newEmail();
        String id = createUser(owner, email, "user");
        String password = Platform.PASSWORD;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 6; round++) {
                String old = password;
                // Each round from addresses of its own: the failed sign-ins after a change count against them.
                AtomicBoolean changed = new AtomicBoolean();
                List<Future<List<String>>> signIns = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    Api client = api.from("198.51.100." + (10 * round + t + 1));
                    signIns.add(pool.submit(() -> {
                        List<String> tokens = new ArrayList<>();
                        boolean last = false;
                        while (!last) {
                            last = changed.get();
                            Api.Response login = client.post("/api/auth/login")
                                    .json(Map.of("email", email, "password", old)).send();
                            if (login.status() == 200) {
                                tokens.add(login.json().path("token").asString());
                            }
                        }
                        return tokens;
                    }));
                }
                Thread.sleep(150 + 40 * round);
                password = "changed password " + round;
                api.patch("/api/users/" + id).as(owner).json(Map.of("password", password)).send().expect(200);
                changed.set(true);
                List<String> issued = new ArrayList<>();
                for (Future<List<String>> signIn : signIns) {
                    issued.addAll(signIn.get());
                }
                assertThat(issued).as("round %d signed in", round).isNotEmpty();
                for (String token : issued) {
                    assertThat(api.get("/api/me").as(token).send().status()).as("round %d", round).isEqualTo(401);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The first of two Authorization headers was taken: whoever added one more chose who the request was. */
    @Test
    void aRequestWithTwoAuthorizationHeadersIsNobodys() throws Exception {
        String email = newEmail();
        createUser(owner, email, "user");
        String other = Platform.login(api, email, Platform.PASSWORD);
        String agentKey = platform.issueKey(platform.createAgent(platform.createOrg("Two keys"), "Twice"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String[] call : List.of(new String[] {"/api/me", owner, other}, new String[] {"/agent/v1/me", agentKey,
                agentKey})) {
            java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + call[0]))
                    .header("Authorization", "Bearer " + call[1]).header("Authorization", "Bearer " + call[2]).GET()
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(call[0] + " " + answer.body()).isEqualTo(401);
        }
        api.get("/api/me").as(owner).send().expect(200);
    }

    /** Signing in was audited and signing out was not: a session's end is on the record too, once. */
    @Test
    void signingOutIsAuditedInTheAccountsOrgOnce() {
        String org = platform.createOrg("Signs out");
        String email = newEmail();
        String id = api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Leaver", "password",
                Platform.PASSWORD, "clientOrgId", org)).send().expect(201).id();
        String token = Platform.login(api, email, Platform.PASSWORD);

        api.post("/api/auth/logout").as(token).send().expect(204);
        api.post("/api/auth/logout").as(token).send().expect(204);

        List<JsonNode> ended = api.get("/api/audit?action=auth.logout&limit=500").org(org).as(owner).send()
                .expect(200).items().stream().filter(e -> id.equals(e.path("targetId").asString())).toList();
        assertThat(ended).singleElement().satisfies(e -> assertThat(e.path("actorLabel").asString()).contains(email));
        api.get("/api/me").as(token).send().expect(401);
    }

    @Test
    void badUserInputIsRefusedAndChangesNothing() {
        String email = newEmail();
        String id = createUser(owner, email, "user");
        record Bad(Map<String, Object> body, String field, int status) {
        }
        for (Bad bad : List.of(
                new Bad(Map.of("name", "N", "password", Platform.PASSWORD), "email", 400),
                new Bad(Map.of("email", "bad", "name", "N", "password", Platform.PASSWORD), "email", 400),
                new Bad(Map.of("email", newEmail(), "name", "N", "password", "short"), "password", 400),
                new Bad(Map.of("email", newEmail(), "name", "", "password", Platform.PASSWORD), "name", 400),
                new Bad(Map.of("email", newEmail(), "name", "N", "password", Platform.PASSWORD, "role", "god"),
                        "role", 400),
                new Bad(Map.of("email", newEmail(), "name", "N", "password", Platform.PASSWORD,
                        "pages", List.of("agents", "root")), "pages", 400),
                new Bad(Map.of("email", email, "name", "N", "password", Platform.PASSWORD), "email", 409))) {
            Api.Response response = api.post("/api/users").as(owner).json(bad.body()).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(bad.status());
            assertThat(response.text("field")).as(response.toString()).isEqualTo(bad.field());
        }
        api.post("/api/users").as(owner).json(Map.of("email", newEmail(), "name", "N", "password", Platform.PASSWORD,
                "clientOrgId", java.util.UUID.randomUUID())).send().expect(404);
        api.put("/api/users/" + id + "/permissions").as(owner).json(Platform.unbound(Map.of("pages", List.of("nope")))).send()
                .expect(400);
        api.put("/api/users/" + id + "/permissions").as(owner)
                .json(Map.of("pages", List.of("agents"), "clientOrgId", java.util.UUID.randomUUID())).send()
                .expect(404);
        api.patch("/api/users/" + id).as(owner).json(Map.of("pages", "agents")).send().expect(400);
        Map<String, Object> nullPages = new java.util.HashMap<>();
        nullPages.put("pages", null);
        assertThat(api.patch("/api/users/" + id).as(owner).json(nullPages).send().expect(400).text("detail"))
                .contains("must be a list").contains("[] for none");
        api.patch("/api/users/" + id).as(owner).json(Map.of("pages", List.of("dashboard", "costs"))).send()
                .expect(400);
        api.patch("/api/users/" + id).as(owner).json(Map.of("pages", List.of("agents"), "clientOrgId", "A-1"))
                .send().expect(400);
        api.patch("/api/users/" + id).as(owner).json(Map.of("pages", List.of("agents"), "clientOrgId", 7))
                .send().expect(400);
        api.patch("/api/users/" + id).as(owner).json(Map.of("pages", List.of("agents"),
                "clientOrgId", java.util.UUID.randomUUID())).send().expect(404);

        Api.Response now = api.get("/api/users/" + id).as(owner).send().expect(200);
        assertThat(now.json().path("pages").toString()).isEqualTo("[\"dashboard\"]");
        assertThat(now.json().path("clientOrgId").isNull()).isTrue();
    }

    @Test
    void unauthenticatedRequestsGet401AsAProblem() {
        Api.Response response = api.get("/api/agents").send().expect(401);

        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.text("detail")).contains("Log in");
        api.get("/api/agents").as("tnt_s_forged").send().expect(401);
        api.get("/api/agents").header("Authorization", "Basic Zm9vOmJhcg==").send().expect(401);
    }
}
