package io.tenantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * Who the client is, and whether it came over TLS: believed from forwarded headers only when
 * a trusted proxy sends them. The test servers trust 127.0.0.1 (see TestDatabase);
 * {@link NoTrustedProxyTest} runs one that trusts nobody, as by default.
 */
@TenantryTest
class ForwardedHeadersTest extends ServerTest {

    /** The client address a failed sign-in was audited with. */
    static String auditedAddress(Api api, String owner, String email) {
        return api.get("/api/audit?action=auth.login_failed&limit=500").as(owner).send().expect(200).items().stream()
                .filter(e -> e.path("actorLabel").asString().equals(email)).findFirst().orElseThrow()
                .path("after").path("clientAddress").asString();
    }

    /** A failed sign-in of a made-up address through {@code call}; answers the address. */
    static String failSignIn(Api.Call call) {
        String email = Platform.unique("fwd").replace(" ", "") + "@tenantry.test";
        call.json(Map.of("email", email, "password", "not the password")).send().expect(401);
        return email;
    }

    @Test
    void theClientIsTheNearestAddressNotATrustedProxy() {
        String plain = failSignIn(api.post("/api/auth/login").header("X-Forwarded-For", "192.0.2.81"));
        String spoofed = failSignIn(api.post("/api/auth/login").header("X-Forwarded-For", "6.6.6.6, 192.0.2.80"));
        String viaProxies = failSignIn(api.post("/api/auth/login").header("X-Forwarded-For", "192.0.2.82, 127.0.0.1"));
        String garbage = failSignIn(api.post("/api/auth/login").header("X-Forwarded-For", "not-an-address"));
        String withPort = failSignIn(api.post("/api/auth/login").header("X-Forwarded-For", "192.0.2.84:5678"));
        String v6WithPort = failSignIn(api.post("/api/auth/login").header("X-Forwarded-For", "[2001:db8::7]:443"));
        String zoned = failSignIn(api.post("/api/auth/login").header("X-Forwarded-For", "fe80::1%eth0"));

        assertThat(auditedAddress(api, owner, plain)).isEqualTo("192.0.2.81");
        assertThat(auditedAddress(api, owner, spoofed)).as("an address the client made up is not believed")
                .isEqualTo("192.0.2.80");
        assertThat(auditedAddress(api, owner, viaProxies)).isEqualTo("192.0.2.82");
        assertThat(auditedAddress(api, owner, garbage)).as("never the proxy's own address")
                .isEqualTo("unparsed:not-an-address");
        assertThat(auditedAddress(api, owner, withPort)).isEqualTo("192.0.2.84");
        assertThat(auditedAddress(api, owner, v6WithPort)).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(auditedAddress(api, owner, zoned)).isEqualTo("fe80:0:0:0:0:0:0:1");
    }

    @Test
    void overTlsTheSessionCookieIsSecureAndHstsIsSent() {
        Api.Response tls = api.post("/api/auth/login").header("X-Forwarded-Proto", "https")
                .json(Map.of("email", Platform.OWNER_EMAIL, "password", Platform.PASSWORD)).send().expect(200);
        Api.Response plain = api.post("/api/auth/login")
                .json(Map.of("email", Platform.OWNER_EMAIL, "password", Platform.PASSWORD)).send().expect(200);

        assertThat(tls.cookie("TENANTRY_SESSION")).contains("Secure");
        assertThat(tls.cookie("TENANTRY_SIGNED_IN")).contains("Secure");
        assertThat(tls.header("Strict-Transport-Security")).contains("max-age=");
        assertThat(plain.cookie("TENANTRY_SESSION")).doesNotContain("Secure");
        assertThat(plain.header("Strict-Transport-Security")).isNull();
    }

    @Test
    void everyAnswerSaysReferrerPolicySameOrigin() {
        assertThat(api.get("/").send().header("Referrer-Policy")).isEqualTo("same-origin");
        assertThat(api.get("/api/me").as(owner).send().header("Referrer-Policy")).isEqualTo("same-origin");
        assertThat(api.get("/api/me").send().header("Referrer-Policy")).isEqualTo("same-origin");
    }
}
