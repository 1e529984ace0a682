package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;

import io.tenantry.api.ApiException;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * Sign-in throttling as an attacker meets it: guesses sent all at once are counted one by
 * one, a known and an unknown account are throttled alike, and the account holder signing
 * in from another address is never slowed. Each test is a client of its own addresses.
 */
@TenantryTest
class SignInThrottleTest extends ServerTest {

    String newUser() {
        String email = Platform.unique("target").replace(" ", "-") + "@tenantry.test";
        api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Target", "password", Platform.PASSWORD))
                .send().expect(201);
        return email;
    }

    Api.Response signIn(Api client, String email, String password) {
        return client.post("/api/auth/login").json(Map.of("email", email, "password", password)).send();
    }

    @Test
    void twelveGuessesSentAtOnceAreCountedOneByOneAndStopAtTheAllowance() throws Exception {
        String email = newUser();
        Api attacker = api.from("192.0.2.10");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Response>> guesses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String guess = "wrong guess number " + i;
            guesses.add(pool.submit(() -> {
                start.await();
                return signIn(attacker, email, guess);
            }));
        }
        start.countDown();
        List<Api.Response> answers = new ArrayList<>();
        for (Future<Api.Response> guess : guesses) {
            answers.add(guess.get());
        }
        pool.shutdown();

        assertThat(answers).filteredOn(r -> r.status() == 401).as("guesses whose password was checked")
                .hasSize(SignInThrottle.PER_ACCOUNT_AND_ADDRESS.free());
        assertThat(answers).filteredOn(r -> r.status() == 429).as("guesses refused unchecked").hasSize(12
                - SignInThrottle.PER_ACCOUNT_AND_ADDRESS.free()).allSatisfy(r -> assertThat(
                        Integer.parseInt(r.header("Retry-After"))).isPositive());
        assertThat(signIn(attacker, email, Platform.PASSWORD).status()).as("the right password from the attacker's "
                + "address, straight after").isEqualTo(429);
        assertThat(signIn(api.from("198.51.100.7"), email, Platform.PASSWORD).status())
                .as("the account holder from another address").isEqualTo(200);
    }

    @Test
    void attemptsReachingTheBucketInAnotherOrderThanTheyReadTheClockCountOneEach(
            @Autowired SignInThrottle throttle) {
        String email = "clock-" + Platform.unique("c").replace(" ", "") + "@tenantry.test";
        Instant start = Instant.now();
        int free = SignInThrottle.PER_ACCOUNT_AND_ADDRESS.free();
        // Each attempt read the clock a little before the one counted ahead of it, as
        // concurrent requests do; none of them may see more failures than were counted.
        for (int i = 0; i < free; i++) {
            throttle.admit(email, "192.0.2.15", start.minusMillis(i * 40L));
        }

        assertThatThrownBy(() -> throttle.admit(email, "192.0.2.15", start.plusMillis(1)))
                .as("the attempt after the allowance").isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
    }

    @Test
    void anUnknownAddressIsThrottledExactlyLikeAKnownOne() {
        String known = newUser();
        String unknown = "nobody-" + Platform.unique("x").replace(" ", "") + "@tenantry.test";
        Api attacker = api.from("192.0.2.20");
        List<Integer> knownStatuses = new ArrayList<>();
        List<Integer> unknownStatuses = new ArrayList<>();
        String knownDetail = null;
        String unknownDetail = null;
        for (int i = 0; i < 7; i++) {
            Api.Response k = signIn(attacker, known, "wrong " + i);
            Api.Response u = signIn(attacker, unknown, "wrong " + i);
            knownStatuses.add(k.status());
            unknownStatuses.add(u.status());
            if (i == 0) {
                assertThat(u.text("detail")).isEqualTo(k.text("detail"));
            }
            if (k.status() == 429) {
                knownDetail = k.text("detail").replaceAll("\\d+", "N");
                unknownDetail = u.text("detail").replaceAll("\\d+", "N");
            }
        }

        assertThat(unknownStatuses).isEqualTo(knownStatuses).containsSubsequence(401, 429);
        assertThat(unknownDetail).isEqualTo(knownDetail).doesNotContain(known);
    }

    @Test
    void anAttackerCannotLockTheHolderOutFromTheirOwnAddress() {
        String email = newUser();
        Api attacker = api.from("192.0.2.30");
        for (int i = 0; i < 30; i++) {
            signIn(attacker, email, "wrong " + i);
        }

        assertThat(signIn(attacker, email, "wrong again").status()).isEqualTo(429);
        assertThat(signIn(api.from("203.0.113.5"), email, Platform.PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void oneAddressGuessingManyAccountsIsThrottledToo() {
        String email = newUser();
        Api sprayer = api.from("192.0.2.40");
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < SignInThrottle.PER_ADDRESS.free() + 3; i++) {
            statuses.add(signIn(sprayer, "spray-" + i + "-" + Platform.unique("s").replace(" ", "") + "@tenantry.test",
                    "password guess").status());
        }

        assertThat(statuses.subList(0, SignInThrottle.PER_ADDRESS.free())).containsOnly(401);
        assertThat(statuses.subList(SignInThrottle.PER_ADDRESS.free(), statuses.size())).containsOnly(429);
        assertThat(signIn(sprayer, email, Platform.PASSWORD).status()).as("even a right password from there")
                .isEqualTo(429);
        assertThat(signIn(api.from("192.0.2.41"), email, Platform.PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void anAttemptRefusedForTheAddressCountsAgainstNoAccount() throws InterruptedException {
        String email = newUser();
        Api crowded = api.from("192.0.2.45");
        for (int i = 0; i < SignInThrottle.PER_ADDRESS.free(); i++) {
            signIn(crowded, "crowd-" + i + "-" + Platform.unique("c").replace(" ", "") + "@tenantry.test", "guess")
                    .expect(401);
        }
        for (int i = 0; i < 7; i++) {
            signIn(crowded, email, "refused while the address waits " + i).expect(429);
        }

        Thread.sleep(SignInThrottle.PER_ADDRESS.firstDelay().toMillis() + 500);

        assertThat(signIn(crowded, email, Platform.PASSWORD).status())
                .as("the account's own bucket never counted the refused attempts").isEqualTo(200);
    }

    @Test
    void aSuccessForgetsTheTyposBeforeIt() {
        String email = newUser();
        Api holder = api.from("192.0.2.50");
        int free = SignInThrottle.PER_ACCOUNT_AND_ADDRESS.free();
        for (int i = 0; i < free - 1; i++) {
            signIn(holder, email, "typo " + i).expect(401);
        }
        signIn(holder, email, Platform.PASSWORD).expect(200);
        for (int i = 0; i < free - 1; i++) {
            signIn(holder, email, "typo again " + i).expect(401);
        }
        signIn(holder, email, Platform.PASSWORD).expect(200);
    }

    @Test
    void aNewPasswordLiftsTheAccountsThrottles() {
        String email = newUser();
        Api holder = api.from("192.0.2.60");
        for (int i = 0; i < SignInThrottle.PER_ACCOUNT_AND_ADDRESS.free(); i++) {
            signIn(holder, email, "forgotten " + i).expect(401);
        }
        signIn(holder, email, Platform.PASSWORD).expect(429);
        String id = api.get("/api/users?limit=500").as(owner).send().items().stream()
                .filter(u -> u.path("email").asString().equals(email)).findFirst().orElseThrow().path("id").asString();

        api.patch("/api/users/" + id).as(owner).json(Map.of("password", "a brand new password")).send().expect(200);

        signIn(holder, email, "a brand new password").expect(200);
    }

    @Test
    void failuresAreAuditedWithTheClientAddress() {
        String email = newUser();
        signIn(api.from("192.0.2.70"), email, "not it").expect(401);

        String trail = api.get("/api/audit?action=auth.login_failed&limit=500").as(owner).send().expect(200).body();
        assertThat(trail).contains(email).contains("192.0.2.70");
    }
}
