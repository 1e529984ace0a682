package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/** Scripted installs: TENANTRY_OWNER_EMAIL and TENANTRY_OWNER_PASSWORD create the owner at start-up. */
@TenantryTest
@TestPropertySource(properties = {"tenantry.owner.email=scripted@tenantry.test",
        "tenantry.owner.password=scripted owner password"})
class OwnerFromEnvironmentTest {

    @LocalServerPort
    int port;

    @Autowired
    AtomicReference<Boolean> ownerWhenServing;

    @Autowired
    UserService users;

    /** Whether the owner existed when the server began to take requests. */
    @TestConfiguration
    static class ServingStarts {

        @Bean
        AtomicReference<Boolean> ownerWhenServing() {
            return new AtomicReference<>();
        }

        @Bean
        ApplicationListener<WebServerInitializedEvent> serving(UserService users,
                AtomicReference<Boolean> ownerWhenServing) {
            return event -> ownerWhenServing.set(users.anyUser());
        }
    }

    /**
     * Else the first visitor in the moment between the two would be offered the first-owner
     * form, and could make themselves the owner of a server installed to be someone else's.
     */
    @Test
    void theOwnerExistsBeforeTheServerTakesAnyRequest() {
        assertThat(ownerWhenServing.get()).isTrue();
    }

    /**
     * Two-node tester: nodes started together on a new database both found no user, and the
     * one whose owner came second stopped ("already set up"). It starts, and makes no owner.
     */
    @Test
    void aNodeThatFindsTheOwnerMadeByAnotherMeanwhileMakesNoneAndStarts() {
        OrgCallContext context = OrgCallContext.unattended(Actor.system("TENANTRY_OWNER_EMAIL"), true,
                OrgScope.allOrgs(), UUID.randomUUID().toString(), Instant.now());

        assertThat(users.createFirstOwnerUnlessSetUp(context, "second-node@tenantry.test", "second-node",
                "scripted owner password")).isEmpty();
        Api api = new Api(port);
        api.post("/api/setup").json(java.util.Map.of("email", "late@tenantry.test", "name", "Late",
                "password", "a late owner password")).send().expect(409);
        Platform.login(api, "scripted@tenantry.test", "scripted owner password");
        assertThat(api.post("/api/auth/login").json(java.util.Map.of("email", "second-node@tenantry.test",
                "password", "scripted owner password")).send().status()).isEqualTo(401);
    }

    @Test
    void theOwnerFromTheEnvironmentCanLogInAndSetupIsClosed() {
        Api api = new Api(port);

        String token = Platform.login(api, "scripted@tenantry.test", "scripted owner password");

        assertThat(api.get("/api/me").as(token).send().expect(200).text("role")).isEqualTo("owner");
        assertThat(api.get("/api/setup").send().json().path("setupRequired").asBoolean()).isFalse();
    }
}
