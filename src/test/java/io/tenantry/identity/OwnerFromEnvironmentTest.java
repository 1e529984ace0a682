package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.TenantryTest;

/** Scripted installs: TENANTRY_OWNER_EMAIL and TENANTRY_OWNER_PASSWORD create the owner at start-up. */
@TenantryTest
@TestPropertySource(properties = {"tenantry.owner.email=scripted@tenantry.test",
        "tenantry.owner.password=scripted owner password"})
class OwnerFromEnvironmentTest {

    @LocalServerPort
    int port;

    @Test
    void theOwnerFromTheEnvironmentCanLogInAndSetupIsClosed() {
        Api api = new Api(port);

        String token = Platform.login(api, "scripted@tenantry.test", "scripted owner password");

        assertThat(api.get("/api/me").as(token).send().expect(200).text("role")).isEqualTo("owner");
        assertThat(api.get("/api/setup").send().json().path("setupRequired").asBoolean()).isFalse();
    }
}
