package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * An endpoint that takes no body refuses one that says anything, naming what was sent, and
 * does nothing: a body dropped unread once deactivated an organization it asked to keep
 * active, issued a key that never expired to a caller who asked for an expiry, and deleted a
 * user when asked not to confirm. Nothing, blanks and {} ask for nothing and pass.
 */
@TenantryTest
class BodyOnlyWhereTakenTest extends ServerTest {

    static final String UNKNOWN = "zzNotAField";

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    String org;
    String agent;

    @BeforeAll
    void world() {
        org = platform.createOrg("Body strict");
        agent = platform.createAgent(org, "Body strict agent");
    }

    @Test
    void aToggleAskedToKeepAnOrganizationActiveIsRefusedAndChangesNothing() {
        String before = HostileInputTest.newestAudit(api, owner);

        Api.Response refused = api.post("/api/organizations/" + org + "/toggle").as(owner)
                .json(Map.of("active", true)).send();

        HostileInputTest.refused(refused, "active");
        assertThat(refused.text("detail")).isEqualTo("active is not a field of this request: it takes no body.");
        assertThat(api.get("/api/organizations/" + org).as(owner).send().expect(200).json().path("active").asBoolean())
                .isTrue();
        assertThat(HostileInputTest.newestAudit(api, owner)).isEqualTo(before);
    }

    @Test
    void aKeyAskedForWithAnExpiryIsRefusedAndNoneIsIssued() {
        int keys = api.get("/api/agents/" + agent + "/keys").as(owner).send().expect(200).items().size();

        HostileInputTest.refused(api.post("/api/agents/" + agent + "/keys").as(owner)
                .json(Map.of("expiresAt", "2027-01-01T00:00:00Z")).send(), "expiresAt");

        assertThat(api.get("/api/agents/" + agent + "/keys").as(owner).send().expect(200).items()).hasSize(keys);
    }

    @Test
    void aDeletionWithABodyIsRefusedAndTheUserStays() {
        String user = platform.createUser("user", org, List.of("agents"));
        String id = api.get("/api/me").as(user).send().expect(200).json().path("id").asString();

        HostileInputTest.refused(api.delete("/api/users/" + id).as(owner).json(Map.of("confirm", false)).send(),
                "confirm");

        api.get("/api/users/" + id).as(owner).send().expect(200);
        api.get("/api/me").as(user).send().expect(200);
    }

    @Test
    void malformedJsonAndBodiesThatAreNotObjectsAreRefused() {
        String keys = "/api/agents/" + agent + "/keys";

        Api.Response malformed = api.post(keys).as(owner).raw("{bad").send();
        Api.Response list = api.post(keys).as(owner).raw("[]").send();

        HostileInputTest.refused(malformed, null);
        assertThat(malformed.text("detail")).containsIgnoringCase("JSON");
        HostileInputTest.refused(list, null);
        assertThat(list.text("detail")).isEqualTo("This request takes no body.");
        HostileInputTest.refused(api.post(keys).as(owner).raw("\"\"").send(), null);
        HostileInputTest.refused(api.post(keys).as(owner).raw("{}   {\"x\":1}").send(), null);
        HostileInputTest.refused(api.post(keys).as(owner).raw("null").send(), null);
    }

    /** The gateway's routes answered a malformed body sent to a route that takes none with a 500. */
    @Test
    void aGatewayRouteRefusesAMalformedBodyInOpenAisErrorShape() {
        String agentKey = platform.issueKey(agent);

        for (String path : List.of("/agent/v1/models", "/agent/v1/models/gpt-4o")) {
            for (String body : List.of("{\"a\":", "{}x", "[1]")) {
                Api.Response refused = api.get(path).as(agentKey).raw(body).send().expect(400);
                assertThat(refused.header("Content-Type")).as(path + " " + body).startsWith("application/json");
                assertThat(refused.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
                assertThat(refused.json().path("error").path("message").asString()).isNotBlank();
            }
        }
        api.get("/agent/v1/models").as(agentKey).raw("{}").send().expect(200);
    }

    @Test
    void nothingBlanksAndAnEmptyObjectAskForNothingAndPass() {
        String keys = "/api/agents/" + agent + "/keys";

        api.post(keys).as(owner).send().expect(201);
        api.post(keys).as(owner).raw("{}").send().expect(201);
        api.post(keys).as(owner).raw(" \r\n\t").send().expect(201);
    }

    /**
     * The container and Spring decode an address before mapping it; the checks that decide by
     * the address as sent do not. An address spelled with encoded letters is refused first.
     */
    @Test
    void anAddressWithEncodedLettersIsRefusedBeforeAnyBodyIsRead() {
        Api.Response disguised = api.post("/%61pi/organizations/" + org + "/toggle").as(owner)
                .raw("active=true".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "application/x-www-form-urlencoded").send();

        HostileInputTest.refused(disguised, null);
        assertThat(disguised.text("detail")).startsWith("The address percent-encodes characters that need no encoding");
        HostileInputTest.refused(api.get("/api/%61gents").as(owner).send(), null);
        HostileInputTest.refused(api.get("/api/agents/" + agent.replace("-", "%2D")).as(owner).send(), null);
        assertThat(api.get("/api/organizations/" + org).as(owner).send().expect(200).json().path("active").asBoolean())
                .isTrue();
        assertThat(PlainAddresses.encodesUnreserved("/agent/v1/credentials/a%20b%7Ec%C3%A9")).isFalse();
        assertThat(PlainAddresses.encodesUnreserved("/api/x%5f")).isTrue();
        assertThat(PlainAddresses.encodesUnreserved("/api/x%")).isFalse();
    }

    @Test
    void aChunkedBodyPastTheLimitIsTooLargeNotAFailure() throws java.io.IOException {
        String agentKey = platform.issueKey(agent);

        assertThat(chunked("POST", "/api/agents/" + agent + "/keys", owner)).startsWith("HTTP/1.1 413 ")
                .contains("application/problem+json");
        assertThat(chunked("POST", "/agent/v1/chat/completions", agentKey)).startsWith("HTTP/1.1 413 ")
                .contains("\"error\"").doesNotContain("server_error");
    }

    @Test
    void theModelListTakesNoBodyEither() {
        String agentKey = platform.issueKey(agent);

        Api.Response refused = api.call("GET", "/agent/v1/models").as(agentKey).json(Map.of("active", true)).send();

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().path("error").path("message").asString())
                .isEqualTo("active is not a field of this request: it takes no body.");
    }

    /** 3 MB of blanks, sent in chunks of 64 KB: a body of no stated length, past the 2 MB limit. */
    String chunked(String method, String path, String token) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            var out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] chunk = " ".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < 48; i++) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Every mapped write of the API and the agent API that takes no body, walked with a field none takes. */
    @Test
    void everyEndpointThatTakesNoBodyRefusesOne() {
        String caller = Platform.login(api, Platform.OWNER_EMAIL, Platform.PASSWORD);
        String agentKey = platform.issueKey(agent);
        List<String> walked = new ArrayList<>();
        List<String> answeredOtherwise = new ArrayList<>();
        mappings.getHandlerMethods().forEach((RequestMappingInfo mapping, HandlerMethod handler) -> {
            if (takesBody(handler)) {
                return;
            }
            for (String pattern : mapping.getPatternValues()) {
                boolean agentApi = pattern.startsWith("/agent/");
                if (!pattern.startsWith("/api/") && !agentApi) {
                    continue;
                }
                String path = pattern.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
                for (RequestMethod method : mapping.getMethodsCondition().getMethods()) {
                    if (!Set.of(RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE)
                            .contains(method)) {
                        continue;
                    }
                    Api.Response answer = api.call(method.name(), path).as(agentApi ? agentKey : caller)
                            .json(Map.of(UNKNOWN, 1)).send();
                    walked.add(method + " " + pattern);
                    if (answer.status() != 400 || !UNKNOWN.equals(answer.json().path("field").asString(null))) {
                        answeredOtherwise.add(method + " " + pattern + " -> " + answer);
                    }
                }
            }
        });
        assertThat(walked).hasSizeGreaterThanOrEqualTo(15).contains("POST /api/organizations/{id}/toggle",
                "POST /api/agents/{id}/keys", "DELETE /api/users/{id}", "POST /api/auth/logout");
        assertThat(answeredOtherwise).isEmpty();
        api.get("/api/me").as(caller).send().expect(200);
    }

    private static boolean takesBody(HandlerMethod handler) {
        for (MethodParameter parameter : handler.getMethodParameters()) {
            if (handler.hasMethodAnnotation(ReadsItsBody.class) || parameter.hasParameterAnnotation(RequestBody.class) || parameter.hasParameterAnnotation(RequestPart.class)
                    || parameter.hasParameterAnnotation(JsonObjectBody.class)) {
                return true;
            }
        }
        return false;
    }
}
