package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.webmvc.actuate.endpoint.web.AbstractWebMvcEndpointHandlerMapping;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/** Health for everyone; metrics for owners and admins; the API description for every signed-in caller. */
@TenantryTest
class PlatformEndpointsTest extends ServerTest {

    @Test
    void healthIsOpen() {
        assertThat(api.get("/actuator/health").send().expect(200).text("status")).isEqualTo("UP");
    }

    @Autowired
    DispatcherServlet dispatcher;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping controllersMapping;

    /**
     * The actuator's mappings are asked after the controllers' (web.ActuatorMappingsLast), so
     * an API call does not pay for their failed lookup; their paths, patterns included, still
     * answer as before.
     */
    @Test
    void theActuatorAnswersAfterTheControllersHaveBeenAsked() {
        String admin = platform.createUser("admin", null, List.of());

        assertThat(api.get("/actuator/health/liveness").send().expect(200).text("status")).isEqualTo("UP");
        assertThat(api.get("/actuator/metrics/http.server.requests").as(admin).send().expect(200).text("name"))
                .isEqualTo("http.server.requests");
        api.get("/actuator/metrics/no.such.metric").as(admin).send().expect(404);
        List<HandlerMapping> mappings = dispatcher.getHandlerMappings();
        int controllers = -1;
        int actuator = -1;
        for (int i = 0; i < mappings.size(); i++) {
            if (mappings.get(i) == controllersMapping) {
                controllers = i;
            } else if (mappings.get(i) instanceof AbstractWebMvcEndpointHandlerMapping) {
                actuator = i;
            }
        }
        assertThat(controllers).isNotNegative().isLessThan(actuator);
    }

    @Test
    void metricsAreForOperatorsAndTheApiDescriptionForEveryCaller() {
        String admin = platform.createUser("admin", null, List.of());
        String user = platform.createUser("user", null, List.of("dashboard"));
        String org = platform.createOrg("Docs");
        String boundUser = platform.createUser("user", org, List.of());
        String agentKey = platform.issueKey(platform.createAgent(org, "Docs reader"));

        assertThat(api.get("/actuator/prometheus").as(admin).send().expect(200).body())
                .contains("http_server_requests_seconds_count");
        api.get("/actuator/prometheus").as(user).send().expect(403);
        api.get("/actuator/prometheus").send().expect(401);

        for (String caller : List.of(platform.owner(), admin, user, boundUser, agentKey)) {
            Api.Response openApi = api.get("/v3/api-docs").as(caller).send().expect(200);
            assertThat(openApi.json().path("paths").has("/api/agents/{id}/assign-org")).isTrue();
        }
        api.get("/swagger-ui/index.html").as(boundUser).send().expect(200);
        api.get("/v3/api-docs").send().expect(401);
    }

    @Test
    void responsesCarryARequestIdAndAContentSecurityPolicy() {
        // JSON answers get the strictest policy; pages one that allows only the server's own scripts.
        Api.Response response = api.get("/api/me").as(platform.owner()).header("X-Request-Id", "trace-123").send()
                .expect(200);

        assertThat(response.header("X-Request-Id")).isEqualTo("trace-123");
        assertThat(response.header("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
        assertThat(api.get("/api/me").as(platform.owner()).send().header("X-Request-Id")).matches("[0-9a-f]{32}");
        assertThat(api.get("/swagger-ui/index.html").as(platform.owner()).send().header("Content-Security-Policy"))
                .contains("script-src 'self'").doesNotContain("script-src 'self' 'unsafe-inline'");
    }

    @Test
    void theDashboardPageAllowsOnlyItsImportMapInlineAndCachesOnlyVersionedFiles() throws Exception {
        Api.Response page = api.get("/").send().expect(200);
        String html = page.body();
        String open = "<script type=\"importmap\">";
        String importMap = html.substring(html.indexOf(open) + open.length(),
                html.indexOf("</script>", html.indexOf(open)));
        String hash = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                .digest(importMap.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self' 'sha256-" + hash + "';")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(page.header("Cache-Control")).contains("no-cache");
        assertThat(api.get("/webjars/lit/3.3.1/index.js").send().expect(200).header("Cache-Control"))
                .contains("max-age=31536000").contains("immutable");
        assertThat(api.get("/app/tenantry-app.js").send().expect(200).header("Cache-Control")).contains("no-cache");
    }

    /** The page names its icon, so browsers do not ask for a /favicon.ico that is not there (a 404 on every page). */
    @Test
    void theDashboardHasAnIcon() {
        assertThat(api.get("/").send().expect(200).body()).contains("<link rel=\"icon\" href=\"/favicon.svg\"");
        assertThat(api.get("/favicon.svg").send().expect(200).header("Content-Type")).startsWith("image/svg+xml");
    }

    @Test
    void oversizedBodiesAreRefusedWithoutBeingRead() {
        String name = Platform.unique("Huge");
        String body = "{\"name\":\"" + name + "\",\"description\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";

        Api.Response response = api.post("/api/organizations").as(platform.owner()).raw(body).send();

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.text("detail")).contains("larger than 2 MB");
        assertThat(response.text("requestId")).as("the refusal names its request, as every problem does")
                .isNotBlank().isEqualTo(response.header("X-Request-Id"));
        assertThat(api.get("/api/organizations?q=" + name.replace(" ", "%20")).as(platform.owner()).send().items())
                .isEmpty();
    }

    /**
     * Java's and Python's clients read an answer only once they have sent the whole body: a
     * body refused for its size (declared, or found so as it arrives) is read and dropped, so
     * they get the 413 rather than a connection reset under them, which one did now and then.
     */
    @Test
    void aClientThatReadsOnlyAfterSendingTheWholeBodyGetsThe413() throws java.io.IOException {
        byte[] declared = ("{\"name\":\"" + "x".repeat(30 * 1024 * 1024) + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        String answer = sentWhole("Content-Length: " + declared.length, declared);

        assertThat(answer).startsWith("HTTP/1.1 413 ").contains("larger than 2 MB");
        byte[] chunk = " ".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream chunked = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 160; i++) {
            chunked.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            chunked.writeBytes(chunk);
            chunked.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        chunked.writeBytes("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(sentWhole("Transfer-Encoding: chunked", chunked.toByteArray())).startsWith("HTTP/1.1 413 ")
                .contains("larger than 2 MB");
    }

    /** The answer to a new organization's body, read only after every byte of it was written. */
    String sentWhole(String framing, byte[] body) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /api/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + owner
                    + "\r\nContent-Type: application/json\r\n" + framing + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * A document of up to 1 MB is taken however its client escapes it: Python's default JSON
     * sends 800 KB of emoji as 2.4 MB of escapes. Past what 1 MB can take escaped, the body is
     * refused unread, and past 1 MB once read, the text.
     */
    @Test
    void aDocumentsLimitIsItsTextNotHowItsClientEscapedIt() {
        String org = platform.createOrg("Escaped documents");
        StringBuilder escaped = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            escaped.append("\\ud83d\\ude00");
        }
        Api.Response taken = api.post("/api/knowledge/documents").org(org).as(platform.owner())
                .raw("{\"title\": \"Emoji\", \"content\": \"" + escaped + "\"}").send();
        assertThat(taken.status()).as(taken.toString()).isEqualTo(201);
        assertThat(taken.json().path("content").asString()).hasSize(400_000);

        Api.Response tooLong = api.post("/api/knowledge/documents").org(org).as(platform.owner())
                .raw("{\"title\": \"Long\", \"content\": \"" + "\\u0078".repeat(1024 * 1024 + 1) + "\"}").send();
        assertThat(tooLong.status()).as(tooLong.toString()).isEqualTo(400);
        Api.Response huge = api.post("/api/knowledge/documents").org(org).as(platform.owner())
                .raw("{\"title\": \"Huge\", \"content\": \"" + "x".repeat(8 * 1024 * 1024) + "\"}").send();
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.text("detail")).contains("larger than 7 MB");
        assertThat(api.get("/api/knowledge/documents").org(org).as(platform.owner()).send().items()).hasSize(1);
    }

    @Test
    void unknownAddressesAndMethodsAnswerAsProblems() {
        Api.Response missing = api.get("/api/nothing-here").as(platform.owner()).send().expect(404);
        Api.Response method = api.call("PUT", "/api/organizations").as(platform.owner()).send().expect(405);
        Api.Response noGroup = api.get("/actuator/health/no-such-group").send().expect(404);
        Api.Response noMetric = api.get("/actuator/metrics/no.such.metric").as(platform.owner()).send().expect(404);

        for (Api.Response problem : List.of(missing, method, noGroup, noMetric)) {
            assertThat(problem.header("Content-Type")).as(problem.toString()).startsWith("application/problem+json");
            assertThat(problem.text("status")).as(problem.toString()).isEqualTo(String.valueOf(problem.status()));
        }
        assertThat(api.get("/actuator/health").send().expect(200).header("Content-Type"))
                .as("an answer with a body is left alone").contains("json").doesNotContain("problem");
    }
}
