package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * Every user changes their own password, with the one they have now: every session of the
 * account ends and the caller gets a new one; a wrong current password changes nothing and is
 * throttled as a sign-in is. Operators set other users' passwords, never their own without it.
 */
@TenantryTest
class OwnPasswordTest extends ServerTest {

    static final String NEW_PASSWORD = "a new long passphrase";

    String newEmail() {
        return Platform.unique("own").replace(" ", "-") + "@tenantry.test";
    }

    String createUser(String email, String role, String clientOrgId) {
        Map<String, Object> body = new HashMap<>(Map.of("email", email, "name", "Own Password", "password",
                Platform.PASSWORD, "role", role));
        body.put("clientOrgId", clientOrgId);
        return api.post("/api/users").as(owner).json(body).send().expect(201).id();
    }

    Api.Response change(Api client, String session, String current, String next) {
        return client.post("/api/me/password").as(session)
                .json(Map.of("currentPassword", current, "newPassword", next)).send();
    }

    List<JsonNode> audited(String org, String action, String userId) {
        return api.get("/api/audit?action=" + action + "&limit=500").org(org).as(owner).send().expect(200).items()
                .stream().filter(e -> userId.equals(e.path("targetId").asString())).toList();
    }

    @Test
    void aClientUserChangesTheirPasswordAndEverySessionButTheNewOneEnds() {
        String org = platform.createOrg("Own password");
        String email = newEmail();
        String id = createUser(email, "user", org);
        String here = Platform.login(api, email, Platform.PASSWORD);
        String elsewhere = Platform.login(api, email, Platform.PASSWORD);

        Api.Response changed = change(api.from("192.0.2.31"), here, Platform.PASSWORD, NEW_PASSWORD).expect(200);

        String renewed = changed.json().path("token").asString();
        assertThat(renewed).isNotBlank().isNotEqualTo(here);
        assertThat(changed.json().path("user").path("id").asString()).isEqualTo(id);
        assertThat(api.get("/api/me").as(renewed).send().expect(200).id()).isEqualTo(id);
        api.get("/api/me").as(here).send().expect(401);
        api.get("/api/me").as(elsewhere).send().expect(401);
        assertThat(api.post("/api/auth/login").json(Map.of("email", email, "password", Platform.PASSWORD)).send()
                .status()).as("the old password").isEqualTo(401);
        Platform.login(api, email, NEW_PASSWORD);
        assertThat(audited(org, "user.password_changed", id)).singleElement().satisfies(e -> {
            assertThat(e.path("actorLabel").asString()).isEqualTo(email);
            assertThat(e.path("orgId").asString()).as("on the client's own record").isEqualTo(org);
            assertThat(e.toString()).contains("192.0.2.31").doesNotContain(NEW_PASSWORD)
                    .doesNotContain(Platform.PASSWORD);
        });
    }

    /** The dashboard's way: with the session cookie, the answer sets the new session's cookie and a new CSRF token. */
    @Test
    void aChangeMadeWithTheSessionCookieSetsTheNewSessionsCookie() {
        String email = newEmail();
        createUser(email, "user", null);
        Api.Response login = api.post("/api/auth/login").json(Map.of("email", email, "password", Platform.PASSWORD))
                .send().expect(200);
        String cookie = login.cookie(SessionCookie.NAME).split(";")[0];
        String xsrf = api.get("/api/me").header("Cookie", cookie).send().cookie("XSRF-TOKEN");
        String csrf = xsrf.substring("XSRF-TOKEN=".length(), xsrf.indexOf(';'));

        Api.Response changed = api.post("/api/me/password").header("Cookie", cookie + "; XSRF-TOKEN=" + csrf)
                .header("X-XSRF-TOKEN", csrf).json(Map.of("currentPassword", Platform.PASSWORD, "newPassword",
                        NEW_PASSWORD)).send().expect(200);

        String renewed = changed.cookie(SessionCookie.NAME).split(";")[0];
        assertThat(renewed).isEqualTo(SessionCookie.NAME + "=" + changed.text("token")).isNotEqualTo(cookie);
        assertThat(changed.cookie("XSRF-TOKEN")).as("the CSRF token is rotated").startsWith("XSRF-TOKEN=;");
        api.get("/api/me").header("Cookie", renewed).send().expect(200);
        api.get("/api/me").header("Cookie", cookie).send().expect(401);
        assertThat(change(api, login.text("token"), NEW_PASSWORD, "yet another password").status()).isEqualTo(401);
    }

    @Test
    void anAdminChangesTheirOwnPasswordThereAndNotWithPatch() {
        String email = newEmail();
        // An admin, not a second owner: IdentityApiTest demotes the platform owner when it is the only one left.
        String id = createUser(email, "admin", null);
        String session = Platform.login(api, email, Platform.PASSWORD);

        Api.Response patched = api.patch("/api/users/" + id).as(session).json(Map.of("password", NEW_PASSWORD))
                .send();
        assertThat(patched.status()).as(patched.toString()).isEqualTo(400);
        assertThat(patched.text("field")).isEqualTo("password");
        assertThat(patched.text("detail")).contains("/api/me/password");
        api.get("/api/me").as(session).send().expect(200);

        session = change(api, session, Platform.PASSWORD, NEW_PASSWORD).expect(200).json().path("token").asString();
        Platform.login(api, email, NEW_PASSWORD);
        api.get("/api/me").as(session).send().expect(200);
        // Another user's password an operator still sets, without theirs.
        String other = newEmail();
        String otherId = createUser(other, "user", null);
        api.patch("/api/users/" + otherId).as(session).json(Map.of("password", NEW_PASSWORD)).send().expect(200);
        Platform.login(api, other, NEW_PASSWORD);
    }

    @Test
    void aWrongCurrentPasswordChangesNothingAndIsOnTheRecord() {
        String email = newEmail();
        String id = createUser(email, "user", null);
        String here = Platform.login(api, email, Platform.PASSWORD);
        String elsewhere = Platform.login(api, email, Platform.PASSWORD);

        Api.Response wrong = change(api.from("192.0.2.32"), here, "not my password", NEW_PASSWORD);

        assertThat(wrong.status()).as(wrong.toString()).isEqualTo(400);
        assertThat(wrong.text("field")).isEqualTo("currentPassword");
        api.get("/api/me").as(here).send().expect(200);
        api.get("/api/me").as(elsewhere).send().expect(200);
        Platform.login(api, email, Platform.PASSWORD);
        assertThat(api.post("/api/auth/login").json(Map.of("email", email, "password", NEW_PASSWORD)).send()
                .status()).isEqualTo(401);
        assertThat(audited(io.tenantry.tenancy.DefaultOrg.ID.toString(), "user.password_change_failed", id))
                .singleElement().satisfies(e -> assertThat(e.toString()).contains("192.0.2.32")
                        .doesNotContain("not my password"));
        assertThat(audited(io.tenantry.tenancy.DefaultOrg.ID.toString(), "user.password_changed", id)).isEmpty();
    }

    /** A stolen session guessing at the password it needs is slowed as a sign-in is, counted one by one. */
    @Test
    void twelveGuessesAtOnceStopAtTheSignInAllowance() throws Exception {
        String email = newEmail();
        createUser(email, "user", null);
        String session = Platform.login(api, email, Platform.PASSWORD);
        Api thief = api.from("192.0.2.33");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Response>> guesses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String guess = "wrong guess number " + i;
            guesses.add(pool.submit(() -> {
                start.await();
                return change(thief, session, guess, NEW_PASSWORD);
            }));
        }
        start.countDown();
        List<Api.Response> answers = new ArrayList<>();
        for (Future<Api.Response> guess : guesses) {
            answers.add(guess.get());
        }
        pool.shutdown();

        int free = SignInThrottle.PER_ACCOUNT_AND_ADDRESS.free();
        assertThat(answers).filteredOn(r -> r.status() == 400).as("guesses checked").hasSize(free);
        assertThat(answers).filteredOn(r -> r.status() == 429).hasSize(12 - free)
                .allSatisfy(r -> assertThat(Integer.parseInt(r.header("Retry-After"))).isPositive());
        assertThat(change(thief, session, Platform.PASSWORD, NEW_PASSWORD).status())
                .as("the right one from there, straight after").isEqualTo(429);
        assertThat(api.from("198.51.100.33").post("/api/auth/login")
                .json(Map.of("email", email, "password", Platform.PASSWORD)).send().status())
                .as("the holder signing in from elsewhere").isEqualTo(200);
    }

    /** Of two changes made at once from one session, one wins; the other finds the password gone. */
    @Test
    void twoChangesAtOnceLeaveOnePasswordThatSignsIn() throws Exception {
        String email = newEmail();
        createUser(email, "user", null);
        String session = Platform.login(api, email, Platform.PASSWORD);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Response>> changes = new ArrayList<>();
        for (String next : List.of("first new password", "second new password")) {
            changes.add(pool.submit(() -> {
                start.await();
                return change(api, session, Platform.PASSWORD, next);
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Api.Response> c : changes) {
            statuses.add(c.get().status());
        }
        pool.shutdown();

        assertThat(statuses).as("one change, one refusal").containsExactlyInAnyOrder(200, 409);
        Api.Response winner = changes.get(0).get().status() == 200 ? changes.get(0).get() : changes.get(1).get();
        String won = winner == changes.get(0).get() ? "first new password" : "second new password";
        String lost = won.startsWith("first") ? "second new password" : "first new password";
        Platform.login(api, email, won);
        assertThat(api.post("/api/auth/login").json(Map.of("email", email, "password", lost)).send().status())
                .isEqualTo(401);
        api.get("/api/me").as(session).send().expect(401);
        api.get("/api/me").as(winner.json().path("token").asString()).send().expect(200);
    }

    /**
     * A change racing the account's deletion was answered "currentPassword is wrong" and put a
     * failed guess on the record of an account no one guessed at (an outside tester: 9 of 12).
     */
    @Test
    void aChangeRacingTheAccountsDeletionIsNoWrongGuess() throws Exception {
        raceTheRightPasswordAgainst(id -> api.delete("/api/users/" + id).as(owner).send(), 204, "192.0.2.35", 200,
                401);
    }

    /**
     * A change racing an operator's reset of the same password was answered "currentPassword
     * is wrong" and audited as a failed guess, though the caller typed the password they had
     * (an outside tester: 6 of 20). The reset ended the session: that is the answer now.
     */
    @Test
    void aChangeRacingAnOperatorsResetIsNoWrongGuess() throws Exception {
        raceTheRightPasswordAgainst(id -> api.patch("/api/users/" + id).as(owner)
                .json(Map.of("password", "set by an operator")).send(), 200, "192.0.2.36", 200, 401, 409);
    }

    /**
     * Rounds of a fresh user changing their password with the right current one at the same
     * moment as an owner's {@code operatorCall} on that user: the change is answered one of
     * {@code allowed}, and no failed guess is on any of their records.
     */
    void raceTheRightPasswordAgainst(java.util.function.Function<String, Api.Response> operatorCall,
            int operatorStatus, String address, Integer... allowed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> ids = new ArrayList<>();
        try {
            for (int round = 0; round < 10; round++) {
                String email = newEmail();
                String id = createUser(email, "user", null);
                ids.add(id);
                String session = Platform.login(api, email, Platform.PASSWORD);
                CountDownLatch start = new CountDownLatch(1);
                Future<Api.Response> change = pool.submit(() -> {
                    start.await();
                    return change(api.from(address), session, Platform.PASSWORD, NEW_PASSWORD);
                });
                Future<Api.Response> operator = pool.submit(() -> {
                    start.await();
                    return operatorCall.apply(id);
                });
                start.countDown();
                assertThat(operator.get().status()).isEqualTo(operatorStatus);
                Api.Response changed = change.get();
                assertThat(changed.status()).as("round %d: %s", round, changed).isIn((Object[]) allowed);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(api.get("/api/audit?action=user.password_change_failed&limit=500").as(owner).send().expect(200)
                .items()).noneMatch(e -> ids.contains(e.path("targetId").asString()));
    }

    @Test
    void badRequestsChangeNothing() {
        String email = newEmail();
        createUser(email, "user", null);
        String session = Platform.login(api, email, Platform.PASSWORD);
        String other = Platform.login(api, email, Platform.PASSWORD);
        String huge = "x".repeat(1_000_000);
        Map<String, Object> unknownField = new HashMap<>(Map.of("currentPassword", Platform.PASSWORD, "newPassword",
                NEW_PASSWORD, "password", NEW_PASSWORD));
        List<Object[]> cases = new ArrayList<>(List.of(
                new Object[] {Map.of(), "currentPassword"},
                new Object[] {Map.of("newPassword", NEW_PASSWORD), "currentPassword"},
                new Object[] {Map.of("currentPassword", Platform.PASSWORD), "newPassword"},
                new Object[] {Map.of("currentPassword", huge, "newPassword", NEW_PASSWORD), "currentPassword"},
                new Object[] {Map.of("currentPassword", 12345, "newPassword", NEW_PASSWORD), "currentPassword"},
                new Object[] {unknownField, "password"}));
        // Too short (five emoji are ten UTF-16 units), blank or invisible, with a control character (a NUL
        // ends a password in C's bcrypt), over 72 bytes, the current one.
        for (String refused : List.of("short", " ".repeat(12), "\ud83d\ude00".repeat(5), "\u00a0".repeat(12),
                "\u0085".repeat(12), "\u200b".repeat(12), "\u3000\u200b".repeat(6), "\u0000".repeat(12),
                "Fuzz-pass-\u00001234", "line\nbreak-pass", "line\u2028separated", "tab\tpassword1", "é".repeat(40), Platform.PASSWORD)) {
            cases.add(new Object[] {Map.of("currentPassword", Platform.PASSWORD, "newPassword", refused),
                "newPassword"});
        }
        Api client = api.from("192.0.2.34");
        for (Object[] c : cases) {
            Api.Response answer = client.post("/api/me/password").as(session).json(c[0]).send();
            assertThat(answer.status()).as(answer.toString()).isIn(400, 413);
            if (answer.status() == 400) {
                assertThat(answer.text("field")).as(answer.toString()).isEqualTo(c[1]);
            }
        }
        Api.Response missing = client.post("/api/me/password").as(session)
                .json(Map.of("currentPassword", Platform.PASSWORD)).send();
        assertThat(missing.text("detail")).isEqualTo("newPassword is required.");
        Api.Response surrogate = client.post("/api/me/password").as(session).raw("{\"currentPassword\": \""
                + Platform.PASSWORD + "\", \"newPassword\": \"pass\\ud800word long\"}").send();
        assertThat(surrogate.status()).as(surrogate.toString()).isEqualTo(400);
        assertThat(surrogate.text("field")).isEqualTo("newPassword");
        Api.Response notJson = client.post("/api/me/password").as(session).raw("{\"currentPassword\": ").send();
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(client.post("/api/me/password").as(session).send().status()).isEqualTo(400);

        api.get("/api/me").as(other).send().expect(200);
        Platform.login(api, email, Platform.PASSWORD);
    }

    @Test
    void onlyASignedInUserChangesAPassword() {
        String key = platform.issueKey(platform.createAgent(platform.createOrg("Own password agent"), "Keyholder"));
        assertThat(change(api, key, Platform.PASSWORD, NEW_PASSWORD).status()).as("an agent key").isIn(401, 403);
        assertThat(change(api, null, Platform.PASSWORD, NEW_PASSWORD).status()).as("nobody").isEqualTo(401);
    }
}
