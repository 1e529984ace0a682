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
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * A query parameter the endpoint does not take is refused, naming it, as a body field the
 * server does not know is: a misspelled filter once answered the unfiltered list as if it
 * were the filtered one. So is one given twice where the endpoint takes one value (Spring
 * joined them with a comma), and a refused write changes nothing.
 */
@TenantryTest
class UnknownQueryParametersTest extends ServerTest {

    static final String UNKNOWN = "zzNotAParameter";

    /** The OpenAI-compatible routes take what OpenAI's SDKs add, as OpenAI does. */
    static final Set<String> OPENAI_ROUTES = Set.of("/agent/v1/chat/completions", "/agent/v1/embeddings",
            "/agent/v1/models", "/agent/v1/models/{model}");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    String org;
    String agent;
    String agentKey;

    @BeforeAll
    void world() {
        org = platform.createOrg("Query strict");
        agent = platform.createAgent(org, "Query strict agent");
        agentKey = platform.issueKey(agent);
    }

    @Test
    void aMisspelledFilterIsRefusedNamingItAndTheParametersTaken() {
        Api.Response misspelled = api.get("/api/interventions?agentID=" + agent).as(owner).org(org).send();

        HostileInputTest.refused(misspelled, "agentID");
        assertThat(misspelled.text("detail")).isEqualTo("The query parameter 'agentID' is not one this endpoint "
                + "takes: it takes agentId, ruleId, action, from, to, limit, cursor, orgId.");
        Api.Response none = api.get("/api/agents/" + agent + "?expand=keys").as(owner).send();
        HostileInputTest.refused(none, "expand");
        assertThat(none.text("detail")).endsWith("(it takes only orgId).");
        assertThat(api.get("/api/interventions?agentId=" + agent).as(owner).org(org).send().status()).isEqualTo(200);
        // Only endpoints that act in an organization take the org context, as the API document says.
        Api.Response me = api.get("/api/me?orgId=" + org).as(owner).send();
        HostileInputTest.refused(me, "orgId");
        assertThat(me.text("detail")).endsWith(": it takes none.");
    }

    /** An empty X-Org-Id (a client's unset variable) wrote into the default organization. */
    @Test
    void anEmptyOrgContextHeaderIsRefusedAndWritesNothing() {
        int before = api.get("/api/agents?limit=500").as(owner).org(io.tenantry.tenancy.DefaultOrg.ID).send()
                .expect(200).items().size();

        for (String blank : java.util.List.of("", "  ")) {
            Api.Response refused = api.post("/api/agents").as(owner).header("X-Org-Id", blank)
                    .json(java.util.Map.of("name", "Meant for a client")).send();
            HostileInputTest.refused(refused, "X-Org-Id");
            assertThat(refused.text("detail")).contains("X-Org-Id header is empty");
            HostileInputTest.refused(api.get("/api/agents").as(owner).header("X-Org-Id", blank).send(), "X-Org-Id");
        }

        assertThat(api.get("/api/agents?limit=500").as(owner).org(io.tenantry.tenancy.DefaultOrg.ID).send()
                .expect(200).items()).hasSize(before);
        HostileInputTest.refused(api.post("/api/agents?orgId=").as(owner).json(Map.of("name", "Nowhere")).send(),
                "orgId");
        assertThat(api.get("/api/agents?limit=500").as(owner).org(io.tenantry.tenancy.DefaultOrg.ID).send()
                .expect(200).items()).as("an empty orgId is refused like an empty header").hasSize(before);
    }

    @Test
    void aParameterGivenTwiceIsRefusedRatherThanJoined() {
        Api.Response twice = api.get("/api/knowledge/search?q=alpha&q=beta").as(owner).org(org).send();

        HostileInputTest.refused(twice, "q");
        assertThat(twice.text("detail")).isEqualTo("The query parameter 'q' is given more than once: give it once.");
        HostileInputTest.refused(api.get("/api/agents?limit=1&limit=2").as(owner).org(org).send(), "limit");
        // Percent-encoded, the same name is still the same parameter.
        HostileInputTest.refused(api.get("/api/agents?limit=1&l%69mit=2").as(owner).org(org).send(), "limit");
    }

    @Test
    void aRefusedWriteChangesNothing() {
        String before = HostileInputTest.newestAudit(api, owner);
        String name = Platform.unique("Dry run org");

        HostileInputTest.refused(api.post("/api/organizations?dryRun=true").as(owner)
                .json(Map.of("name", name)).send(), "dryRun");
        HostileInputTest.refused(api.delete("/api/agents/" + agent + "?force=true").as(owner).send(), "force");

        assertThat(HostileInputTest.newestAudit(api, owner)).isEqualTo(before);
        assertThat(api.get("/api/organizations?q=" + name.replace(' ', '+')).as(owner).send().items()).isEmpty();
        api.get("/api/agents/" + agent).as(owner).send().expect(200);
    }

    @Test
    void theOrgContextEmptyPairsAndEncodedNamesAreTaken() {
        assertThat(api.get("/api/agents?orgId=" + org + "&limit=5").as(owner).send().expect(200).items())
                .extracting(item -> item.path("id").asString()).contains(agent);
        api.get("/api/agents?&&limit=5&").as(owner).org(org).send().expect(200);
        api.get("/api/agents?l%69mit=5").as(owner).org(org).send().expect(200);
        api.get("/agent/v1/models?api-version=2024-06-01").as(agentKey).send().expect(200);
        api.get("/agent/v1/models/no-such-model?api-version=2024-06-01").as(agentKey).send().expect(404);
    }

    @Test
    void aLongOrUnreadableNameIsAnsweredInWords() throws java.io.IOException {
        String name = "x".repeat(300);

        Api.Response tooLong = api.get("/api/agents?" + name + "=1").as(owner).org(org).send();
        String unreadable = rawGet("/api/agents?limit=1&%zz=1");

        HostileInputTest.refused(tooLong, "x".repeat(64) + "…");
        assertThat(tooLong.body()).doesNotContain("x".repeat(65));
        assertThat(unreadable).startsWith("HTTP/1.1 400 ").contains("application/problem+json")
                .contains("\"detail\":\"The request's parameters cannot be read");
    }

    /** A GET sent as written: Java's HTTP client refuses to send a malformed percent-encoding. */
    String rawGet(String target) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + owner + "\r\nX-Org-Id: " + org + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aParameterWithoutANameIsRefusedInWords() {
        Api.Response nameless = api.get("/api/agents?limit=1&=2").as(owner).org(org).send();

        HostileInputTest.refused(nameless, null);
        assertThat(nameless.text("detail")).isEqualTo("The request's parameters cannot be read: each needs a name "
                + "and valid percent-encoded UTF-8, and at most 1,000 are read.");
    }

    /** A preflight carries the query of the request it asks about. */
    @Test
    void anOptionsRequestIsNotHeldToTheQuery() {
        Api.Response options = api.call("OPTIONS", "/api/audit?limit=5").as(owner).send();

        assertThat(options.status()).as(options.toString()).isEqualTo(200);
        assertThat(options.header("Allow")).contains("GET");
    }

    @Test
    void theRefusalComesAfterAuthentication() {
        assertThat(api.get("/api/agents?" + UNKNOWN + "=1").send().status()).isEqualTo(401);
        String client = platform.createUser("user", org, List.of("agents"));
        assertThat(api.get("/api/users?" + UNKNOWN + "=1").as(client).send().status()).isEqualTo(403);
    }

    /**
     * What the API document lists is what the server takes: every query parameter of every
     * GET it describes is taken (a value may still be refused for what it is), and the
     * endpoints it gives no org context take none.
     */
    @Test
    void everyQueryParameterTheDocumentListsIsTaken() {
        tools.jackson.databind.JsonNode document = api.get("/v3/api-docs").as(owner).send().expect(200).json();
        List<String> refused = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, tools.jackson.databind.JsonNode> path : document.path("paths").properties()) {
            tools.jackson.databind.JsonNode get = path.getValue().path("get");
            if (get.isMissingNode() || OPENAI_ROUTES.contains(path.getKey())) {
                continue;
            }
            boolean agentApi = path.getKey().startsWith("/agent/v1/");
            String address = path.getKey().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
            for (tools.jackson.databind.JsonNode parameter : get.path("parameters")) {
                tools.jackson.databind.JsonNode described = parameter.has("$ref") ? document.path("components")
                        .path("parameters").path(parameter.path("$ref").asString().replaceAll(".*/", "")) : parameter;
                if (!"query".equals(described.path("in").asString())) {
                    continue;
                }
                String name = described.path("name").asString();
                String value = "orgId".equals(name) ? org : "1";
                Api.Response answer = api.get(address + "?" + name + "=" + value).as(agentApi ? agentKey : owner)
                        .send();
                checked++;
                if (answer.status() == 400 && answer.body().contains("is not one this endpoint takes")) {
                    refused.add("GET " + path.getKey() + " ?" + name + " -> " + answer);
                }
            }
        }
        assertThat(checked).isGreaterThan(50);
        assertThat(refused).isEmpty();
    }

    /** Every mapped endpoint of the API and the agent API, walked with a parameter none takes. */
    @Test
    void everyEndpointRefusesAParameterItDoesNotTake() {
        String caller = Platform.login(api, Platform.OWNER_EMAIL, Platform.PASSWORD);
        List<String> walked = new ArrayList<>();
        List<String> answeredOtherwise = new ArrayList<>();
        for (RequestMappingInfo mapping : mappings.getHandlerMethods().keySet()) {
            for (String pattern : mapping.getPatternValues()) {
                boolean agentApi = pattern.startsWith("/agent/v1/");
                if (!pattern.startsWith("/api/") && !agentApi || OPENAI_ROUTES.contains(pattern)) {
                    continue;
                }
                String path = pattern.replaceAll("\\{[^}]+}", UUID.randomUUID().toString()) + "?" + UNKNOWN + "=1";
                Set<RequestMethod> methods = mapping.getMethodsCondition().getMethods();
                for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    Api.Call call = api.call(method.name(), path).as(agentApi ? agentKey : caller);
                    if (pattern.endsWith("/upload")) {
                        call = call.file("notes.txt", "notes".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                Map.of());
                    }
                    Api.Response answer = call.send();
                    walked.add(method + " " + pattern);
                    if (answer.status() != 400 || !UNKNOWN.equals(answer.json().path("field").asString(null))) {
                        answeredOtherwise.add(method + " " + pattern + " -> " + answer);
                    }
                }
            }
        }
        assertThat(walked).hasSizeGreaterThan(100).contains("GET /api/agents", "POST /api/auth/logout",
                "GET /agent/v1/credentials/{name}");
        assertThat(answeredOtherwise).isEmpty();
        api.get("/api/me").as(caller).send().expect(200);
    }
}
