package io.tenantry.apidoc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.tenantry.support.Api;
import io.tenantry.support.NodeTools;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The served OpenAPI document is a contract clients are generated from: it says what a
 * client really sends (the org context header, not a framework argument), which
 * credentials open each operation, and the problem details each can answer. The committed
 * copy, docs/openapi.json, is the served one, so a contract change shows in review.
 */
@TenantryTest
class ApiDocumentTest extends ServerTest {

    private static final Path COMMITTED = Path.of("docs/openapi.json");
    private static final JsonMapper CANONICAL = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final Set<String> DECLARED_TAGS = Set.of("Sign-in", "Organizations", "Agents", "Users", "Usage",
            "Billing", "Settings", "Policies", "Knowledge", "Memory", "Credentials", "Guardrails", "Audit",
            "Agent API", "Gateway");

    private JsonNode document() {
        return api.get("/v3/api-docs").as(owner).send().expect(200).json();
    }

    @Test
    void everyOperationHasAnIdATagASummaryAndItsCredentials() {
        JsonNode document = document();
        Set<String> ids = new HashSet<>();
        List<String> operations = new ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(entry -> {
            String where = entry.getKey().toUpperCase() + " " + path.getKey();
            JsonNode operation = entry.getValue();
            operations.add(where);
            String id = operation.path("operationId").asString();
            assertThat(id).as(where).matches("[a-z][A-Za-z]+");
            assertThat(ids.add(id)).as("operationId %s of %s is unique", id, where).isTrue();
            assertThat(operation.path("summary").asString()).as(where).isNotBlank();
            assertThat(operation.path("description").asString()).as(where).isNotBlank();
            assertThat(operation.path("tags")).as(where).hasSize(1);
            assertThat(DECLARED_TAGS).as(where).contains(operation.path("tags").get(0).asString());
            assertThat(operation.path("security").isArray()).as(where + " states its credentials").isTrue();
        }));
        assertThat(operations).hasSizeGreaterThanOrEqualTo(45).noneMatch(o -> o.endsWith(" /error"));
        assertThat(ids).contains("listAgents", "assignAgentToOrg", "getBillingSummary", "signIn", "reportUsage");
    }

    @Test
    void theOrgContextIsTheHeaderAClientSendsNotTheServersArgument() {
        JsonNode document = document();
        String text = document.toString();
        assertThat(text).doesNotContain("OrgCallContext").doesNotContain("\"name\":\"context\"")
                .doesNotContain("*/*").doesNotContain("x-tenantry-");
        JsonNode header = document.path("components").path("parameters").path("OrgIdHeader");
        assertThat(header.path("in").asString()).isEqualTo("header");
        assertThat(header.path("name").asString()).isEqualTo("X-Org-Id");
        assertThat(header.path("required").asBoolean()).isFalse();
        JsonNode listAgents = document.path("paths").path("/api/agents").path("get");
        assertThat(listAgents.path("parameters").toString())
                .contains("#/components/parameters/OrgIdHeader", "#/components/parameters/Limit",
                        "#/components/parameters/Cursor");
    }

    @Test
    void credentialsFollowWhoMayCall() {
        JsonNode paths = document().path("paths");
        assertThat(paths.path("/api/auth/login").path("post").path("security").toString()).isEqualTo("[{}]");
        assertThat(paths.path("/api/setup").path("post").path("security").toString()).isEqualTo("[{}]");
        assertThat(paths.path("/agent/v1/usage").path("post").path("security").toString())
                .isEqualTo("[{\"agentKey\":[]}]");
        assertThat(paths.path("/api/agents").path("get").path("security").toString())
                .isEqualTo("[{\"sessionToken\":[]},{\"sessionCookie\":[]}]");
        assertThat(paths.path("/api/agents").path("post").path("security").toString())
                .isEqualTo("[{\"sessionToken\":[]},{\"sessionCookie\":[],\"xsrfToken\":[]}]");
    }

    @Test
    void errorsAreProblemDetailsWithTheirStatus() {
        JsonNode document = document();
        JsonNode problem = document.path("components").path("schemas").path("Problem").path("properties");
        assertThat(problem.has("field")).isTrue();
        assertThat(problem.has("requestId")).isTrue();
        JsonNode notFound = document.path("components").path("responses").path("NotFound");
        assertThat(notFound.path("content").has("application/problem+json")).isTrue();
        JsonNode assign = document.path("paths").path("/api/agents/{id}/assign-org").path("post");
        assertThat(assign.path("responses").properties()).extracting(Map.Entry::getKey)
                .contains("200", "400", "401", "403", "404", "408", "409", "413");
        assertThat(document.path("paths").path("/api/auth/login").path("post").path("responses").has("429")).isTrue();
        assertThat(assign.path("description").asString()).contains("`agents` page");
    }

    /**
     * The gateway's routes answer OpenAI's error object, so an SDK raises its typed errors:
     * the document says so, with the statuses a call can end in, and a real refusal has the
     * shape it describes.
     */
    @Test
    void theGatewaysErrorsAreOpenAisErrorObjectWithTheStatusesACallCanEndIn() {
        JsonNode document = document();
        JsonNode paths = document.path("paths");
        JsonNode chat = paths.path("/agent/v1/chat/completions").path("post").path("responses");
        assertThat(chat.properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("200", "400", "401", "402", "403", "404", "408", "413", "429", "502", "503",
                        "504");
        assertThat(chat.path("402").path("$ref").asString()).isEqualTo("#/components/responses/OpenAi402");
        assertThat(paths.path("/agent/v1/embeddings").path("post").path("responses").properties())
                .extracting(Map.Entry::getKey).contains("402", "429", "503").doesNotContain("409");
        assertThat(paths.path("/agent/v1/models").path("get").path("responses").properties())
                .extracting(Map.Entry::getKey).containsExactlyInAnyOrder("200", "400", "401", "403");
        assertThat(paths.path("/agent/v1/models/{model}").path("get").path("responses").path("404").path("$ref")
                .asString()).isEqualTo("#/components/responses/OpenAi404");
        JsonNode tooMany = document.path("components").path("responses").path("OpenAi429");
        assertThat(tooMany.path("content").path("application/json").path("schema").path("$ref").asString())
                .isEqualTo("#/components/schemas/OpenAiError");
        assertThat(tooMany.path("headers").has("Retry-After")).isTrue();
        assertThat(document.path("components").path("responses").path("OpenAi503").path("headers").has("Retry-After"))
                .isTrue();
        assertThat(paths.path("/agent/v1/usage").path("post").path("responses").path("400").path("$ref").asString())
                .as("the rest of the agent API answers problem details").isEqualTo("#/components/responses/BadRequest");

        JsonNode schema = document.path("components").path("schemas").path("OpenAiError");
        assertThat(schema.path("required").toString()).isEqualTo("[\"error\"]");
        assertThat(schema.path("properties").path("error").path("required").toString())
                .isEqualTo("[\"message\",\"type\"]");
        String agentKey = platform.issueKey(platform.createAgent(platform.createOrg("Document org"), "Document agent"));
        JsonNode refused = api.get("/agent/v1/models/no-such-model").as(agentKey).send().expect(404).json();
        assertThat(refused.properties()).extracting(Map.Entry::getKey).containsExactly("error");
        assertThat(refused.path("error").path("message").isString()).isTrue();
        assertThat(refused.path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(refused.path("error").path("code").asString()).isEqualTo("model_not_found");
    }

    @Test
    void requestBodiesStateWhatIsRequiredAndTheLimits() {
        JsonNode schemas = document().path("components").path("schemas");
        JsonNode organization = schemas.path("NewOrganization");
        assertThat(organization.path("required").toString()).contains("name");
        assertThat(organization.path("properties").path("name").path("maxLength").asInt()).isEqualTo(200);
        assertThat(organization.path("properties").path("currency").path("enum").toString()).contains("EUR");
        assertThat(schemas.path("UsageBatch").path("properties").path("events").path("maxItems").asInt())
                .isEqualTo(1000);
        assertThat(schemas.has("AgentChanges")).isTrue();
        assertThat(schemas.path("Permissions").path("required").toString()).contains("clientOrgId");
        // Null is how a client lifts an org's model list: a client generated from the document
        // could not send it (outside tester).
        JsonNode gateway = schemas.path("GatewaySettingsChanges").path("properties");
        for (String field : List.of("allowedModels", "requestsPerMinute", "tokensPerMinute")) {
            assertThat(gateway.path(field).path("type").toString()).as(field).contains("null");
        }
        JsonNode user = schemas.path("UserChanges").path("properties");
        assertThat(user.path("clientOrgId").path("type").toString()).as("unbinding a user").contains("null");
        assertThat(user.path("pages").path("items").path("enum").toString()).contains("billing", "vault");
    }

    @Test
    void answersSayWhichFieldsAreAlwaysThereAndWhichMayBeNull() {
        JsonNode schemas = document().path("components").path("schemas");
        JsonNode agent = schemas.path("Agent");
        assertThat(agent.path("required").toString()).contains("\"id\"", "\"name\"", "\"clientOrgId\"");
        assertThat(agent.path("properties").path("id").path("type").toString()).isEqualTo("\"string\"");
        assertThat(agent.path("properties").path("billingRateOverride").path("type").toString()).contains("null");
        assertThat(schemas.path("CursorPageAgent").path("properties").path("nextCursor").path("type").toString())
                .contains("null");
        assertThat(schemas.path("User").path("properties").path("clientOrgId").path("type").toString())
                .contains("null");
        assertThat(schemas.path("Organization").path("properties").path("agents").path("items").path("$ref")
                .asString()).as("a list holds no nulls").isEqualTo("#/components/schemas/AssignedAgent");
        assertThat(schemas.path("NewAgent").path("properties").path("name").path("type").toString())
                .as("a field a request must send is not null").isEqualTo("\"string\"");
        assertThat(schemas.path("UsageReceipt").path("required").toString())
                .as("a receipt is told from a batch's result").contains("eventId", "inputTokens");
    }

    /**
     * Real answers match the schemas a client is generated from: every list and read that takes
     * no id, over data of every kind, the error objects of both kinds, a rule's version history
     * (three lists once shared one schema, of routes; a keyword rule's detectors came as null
     * where the document said a list always came).
     */
    @Test
    void realAnswersMatchTheirSchemas() {
        String org = platform.createOrg("Schema org");
        String agent = platform.createAgent(org, "Schema agent");
        String agentKey = platform.issueKey(agent);
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String rule = api.post("/api/guardrails/rules").org(org).as(owner).json(Map.of("name", "No bombs " + unique,
                "type", "keyword", "action", "block", "keywords", List.of("bomb"))).send().expect(201).id();
        api.post("/api/guardrails/rules").org(org).as(owner).json(Map.of("name", "Every kind " + unique, "type", "pii",
                "action", "redact")).send().expect(201);
        api.patch("/api/guardrails/rules/" + rule).org(org).as(owner).json(Map.of("keywords", List.of("bomb", "gun")))
                .send().expect(200);
        api.put("/api/settings/model-aliases/schema-" + unique).as(owner).json(Map.of("model", "gpt-4o")).send()
                .expect(200);
        api.post("/api/settings/providers").as(owner).json(Map.of("name", "schema-" + unique, "baseUrl",
                "http://127.0.0.1:9/v1", "keyCredential", "SCHEMA_KEY")).send().expect(201);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", "schema-" + unique, "targets",
                List.of(Map.of("provider", "schema-" + unique, "model", "up")))).send().expect(201);

        JsonNode document = document();
        SchemaCheck check = new SchemaCheck(document);
        List<String> problems = new ArrayList<>();
        Set<String> checked = new HashSet<>();
        document.path("paths").properties().forEach(path -> {
            if (path.getKey().contains("{") || !path.getValue().has("get") || path.getKey().startsWith("/agent/")) {
                return;
            }
            Api.Response answer = api.get(path.getKey()).as(owner).send();
            if (answer.status() == 200 && answer.header("Content-Type").startsWith("application/json")) {
                checked.add(path.getKey());
                check.problems(check.answerSchema(path.getKey(), "get", "200"), answer.json())
                        .forEach(problem -> problems.add("GET " + path.getKey() + " " + problem));
            }
        });
        record Probe(String path, String status, Api.Response answer) {
        }
        for (Probe probe : List.of(
                new Probe("/api/guardrails/rules/{id}/versions", "200",
                        api.get("/api/guardrails/rules/" + rule + "/versions").org(org).as(owner).send().expect(200)),
                new Probe("/api/guardrails/rules/{id}", "200",
                        api.get("/api/guardrails/rules/" + rule).org(org).as(owner).send().expect(200)),
                new Probe("/api/agents/{id}", "404", api.get("/api/agents/" + UUID.randomUUID()).as(owner).send()
                        .expect(404)),
                new Probe("/agent/v1/models", "200", api.get("/agent/v1/models").as(agentKey).send().expect(200)),
                new Probe("/agent/v1/models", "401", api.get("/agent/v1/models").send().expect(401)),
                new Probe("/agent/v1/models/{model}", "404",
                        api.get("/agent/v1/models/no-such-model").as(agentKey).send().expect(404)))) {
            check.problems(check.answerSchema(probe.path(), "get", probe.status()), probe.answer().json())
                    .forEach(problem -> problems.add("GET " + probe.path() + " " + probe.status() + " " + problem));
        }
        assertThat(checked).as("answers checked").hasSizeGreaterThan(20).contains("/api/settings/providers",
                "/api/settings/model-aliases", "/api/settings/routes", "/api/guardrails/rules", "/api/agents",
                "/api/organizations", "/api/users", "/api/dashboard");
        assertThat(problems).isEmpty();
    }

    /**
     * Every dashboard operation in an org context may answer 404: a context naming no
     * organization is not found. An agent may name its own organization only, so any other is
     * forbidden, and its operations do not say 404 for it.
     */
    @Test
    void anOrgContextNamingNoOrganizationIsANotFoundTheDocumentStates() {
        JsonNode document = document();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            boolean inContext = false;
            for (JsonNode parameter : operation.getValue().path("parameters")) {
                inContext |= parameter.path("$ref").asString().endsWith("/" + "OrgIdHeader");
            }
            if (inContext && !path.getKey().contains("{")) {
                assertThat(operation.getValue().path("responses").has("404"))
                        .as(operation.getKey() + " " + path.getKey()).isEqualTo(!path.getKey().startsWith("/agent/"));
            }
        }));
        assertThat(api.get("/api/agents").org(UUID.randomUUID().toString()).as(owner).send().status()).isEqualTo(404);
        assertThat(api.get("/api/credentials").org(UUID.randomUUID().toString()).as(owner).send().status())
                .isEqualTo(404);
        String agentKey = platform.issueKey(platform.createAgent(platform.createOrg("Context org"), "Context agent"));
        assertThat(api.get("/agent/v1/policies").org(UUID.randomUUID().toString()).as(agentKey).send().status())
                .isEqualTo(403);
        assertThat(document.path("paths").path("/agent/v1/policies").path("get").path("responses").path("304")
                .has("content")).as("a 304 has no body").isFalse();
        assertThat(document.path("paths").path("/agent/v1/chat/completions").path("post").path("requestBody")
                .path("required").asBoolean()).isTrue();
        JsonNode body = document.path("paths").path("/api/agents").path("post").path("requestBody");
        assertThat(body.path("required").asBoolean()).as("a body the server cannot do without is required").isTrue();
        assertThat(document.path("paths").path("/api/agents/{id}/unassign-org").path("post").path("requestBody")
                .path("required").asBoolean()).as("unassigning takes no body").isFalse();
    }

    @Test
    void theCommittedCopyIsTheServedDocument() throws Exception {
        String served = canonical(document());
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED, StandardCharsets.UTF_8) : "";
        if (!served.equals(committed)) {
            Files.writeString(COMMITTED, served, StandardCharsets.UTF_8);
        }
        assertThat(committed).as("docs/openapi.json differed from the served document and has been rewritten: "
                + "review the change (git diff docs/openapi.json) and commit it").isEqualTo(served);
    }

    @Test
    @ExtendWith(NodeTools.class)
    void redoclysRecommendedRulesFindNoErrors() throws Exception {
        Path file = Files.createTempFile("openapi", ".json");
        try {
            Files.writeString(file, canonical(document()), StandardCharsets.UTF_8);
            NodeTools.Run lint = NodeTools.tool("redocly", "lint", file.toString(), "--config",
                    NodeTools.DIRECTORY.resolve("redocly.yaml").toString(), "--format", "stylish");
            assertThat(lint.exitCode()).as(lint.output()).isZero();
            assertThat(lint.output()).as(lint.output()).contains("Your API description is valid")
                    .doesNotContainPattern("\\d+:\\d+\\s+(warning|error)");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Keys sorted at every level, two-space indented, one final newline: stable across runs. */
    private static String canonical(JsonNode document) {
        Object tree = sorted(CANONICAL.convertValue(document, Object.class));
        return CANONICAL.writeValueAsString(tree) + "\n";
    }

    @SuppressWarnings("unchecked")
    private static Object sorted(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> ordered = new TreeMap<>();
            ((Map<String, Object>) map).forEach((key, item) -> ordered.put(key, sorted(item)));
            return ordered;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ApiDocumentTest::sorted).toList();
        }
        return value;
    }
}
