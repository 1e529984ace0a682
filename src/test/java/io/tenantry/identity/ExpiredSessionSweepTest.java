package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.TenantryTest;

/** Its own server and database: sweeping "later" removes every session there is. */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=expired-session-sweep")
class ExpiredSessionSweepTest {

    @LocalServerPort
    int port;

    @Autowired
    Sessions sessions;

    @Test
    void sessionsPastTheirEndAreRefusedAndSweptAway() {
        Api api = new Api(port);
        Platform platform = new Platform(api);
        String token = platform.createUser("user", null, List.of("agents"));
        Instant later = Instant.now().plus(Sessions.IDLE).plusSeconds(60);

        assertThat(sessions.find(token, Instant.now())).isPresent();
        assertThat(sessions.find(token, later)).isEmpty();
        assertThat(sessions.deleteExpired(later)).isPositive();
        api.get("/api/me").as(token).send().expect(401);
    }
}
