package io.tenantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/** The default: no proxy is trusted, so nobody can claim another address or TLS with a header. */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.no-proxy=true")
class NoTrustedProxyTest extends ServerTest {

    @Test
    void forwardedHeadersAreIgnored() {
        String email = ForwardedHeadersTest.failSignIn(api.post("/api/auth/login")
                .header("X-Forwarded-For", "192.0.2.83").header("X-Forwarded-Proto", "https"));
        Api.Response login = api.post("/api/auth/login").header("X-Forwarded-Proto", "https")
                .json(Map.of("email", Platform.OWNER_EMAIL, "password", Platform.PASSWORD)).send().expect(200);

        assertThat(ForwardedHeadersTest.auditedAddress(api, owner, email)).isEqualTo("127.0.0.1");
        assertThat(login.cookie("TENANTRY_SESSION")).doesNotContain("Secure");
        assertThat(login.header("Strict-Transport-Security")).isNull();
    }
}
