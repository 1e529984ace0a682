package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.UsageEvents;

/**
 * What a careless client and a hostile one send: fields the server does not know, numbers
 * that are short to write and ruinous to convert, times at the ends of Java's range, blank
 * ids, control characters and broken Unicode. Each is a 400 problem naming its field, never
 * a 500, and changes nothing: every change is audited, so the audit trail must not move.
 */
@TenantryTest
class HostileInputTest extends ServerTest {

    static final String HUGE = "1e999999999";
    static final String SLOW = "1e4000000";
    static final List<String> EXTREME_INSTANTS = List.of("+1000000000-12-31T23:59:59.999999999Z",
            "-1000000000-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2200-01-01T00:00:00Z");

    String org;
    String agent;
    String agentKey;

    @BeforeAll
    void world() {
        org = platform.createOrg("Hostile");
        agent = platform.createAgent(org, "Hostile agent");
        agentKey = platform.issueKey(agent);
    }

    /** The newest audit event of every org: it moves with every change the server makes. */
    String newestAudit() {
        return newestAudit(api, owner);
    }

    static String newestAudit(Api api, String owner) {
        return api.get("/api/audit?limit=1").as(owner).send().expect(200).items().get(0).path("id").asString();
    }

    /** Asserts a 400 problem that names {@code field} (null: the request as a whole). */
    static void refused(Api.Response response, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(response.text("field")).as(response.toString()).isEqualTo(field);
        }
        assertThat(response.text("detail")).as(response.toString()).isNotBlank().doesNotContain("given twice");
    }

    Api.Response postRaw(String path, String json) {
        return api.post(path).as(owner).raw(json).send();
    }

    @Test
    void aCursorIsTakenOnlyInTheShapeItsListGaveItOut() {
        platform.createAgent(org, "Second hostile agent");
        platform.createUser("user", org, List.of("agents"));
        String agentsCursor = api.get("/api/agents?limit=1").as(owner).org(org).send().expect(200).text("nextCursor");
        String usersCursor = api.get("/api/users?limit=1").as(owner).send().expect(200).text("nextCursor");
        assertThat(agentsCursor).isNotNull();
        assertThat(usersCursor).isNotNull();
        api.get("/api/agents?limit=1&cursor=" + agentsCursor).as(owner).org(org).send().expect(200);

        String longer = withPart(agentsCursor, "x");
        refused(api.get("/api/agents?cursor=" + longer).as(owner).org(org).send(), "cursor");
        refused(api.get("/api/agents?cursor=" + withPart(agentsCursor, "")).as(owner).org(org).send(), "cursor");
        refused(api.get("/api/agents?cursor=" + usersCursor).as(owner).org(org).send(), "cursor");
        refused(api.get("/api/users?cursor=" + agentsCursor).as(owner).send(), "cursor");
        refused(api.get("/api/users?cursor=" + withPart(usersCursor, "x")).as(owner).send(), "cursor");
        refused(api.get("/api/organizations?cursor=" + longer).as(owner).send(), "cursor");
    }

    /** PostgreSQL refuses a NUL in any text, with an error the server must never pass on as a 500. */
    @Test
    void aNulCharacterAnywhereIsABadRequestNamingWhereItCameIn() {
        String nul = Base64.getUrlEncoder().withoutPadding().encodeToString("\u0000".getBytes(StandardCharsets.UTF_8));
        String nulInKey = Base64.getUrlEncoder().withoutPadding().encodeToString(("\u0000\u001f"
                + java.util.UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        refused(api.get("/api/users?cursor=" + nul).as(owner).send(), "cursor");
        refused(api.get("/api/agents?cursor=" + nulInKey).as(owner).org(org).send(), "cursor");
        refused(api.get("/api/audit?action=%00").as(owner).send(), "action");
        refused(api.get("/api/audit?action=agent.created%00x").as(owner).send(), "action");
        refused(api.get("/api/knowledge/documents?tag=a%00b").as(owner).org(org).send(), "tag");
        Api.Response signIn = api.post("/api/auth/login").json(Map.of("email", "a\u0000@x.test", "password",
                "whatever12345")).send();
        refused(signIn, "email");
        refused(api.post("/api/auth/login").json(Map.of("email", "\u0085" + Platform.OWNER_EMAIL, "password",
                Platform.PASSWORD)).send(), "email");
        refused(api.post("/api/auth/login").json(Map.of("email", "\u202egnp.exe@x.test", "password",
                Platform.PASSWORD)).send(), "email");
        Api.Response tooLong = api.post("/api/auth/login").json(Map.of("email", "a".repeat(330) + "@x.test",
                "password", Platform.PASSWORD)).send();
        refused(tooLong, "email");
        assertThat(tooLong.text("detail")).contains("at most 320");
        refused(api.post("/api/auth/login").json(Map.of("email", Platform.OWNER_EMAIL)).send(), "password");
        Map<String, Object> nullPassword = new HashMap<>();
        nullPassword.put("email", Platform.OWNER_EMAIL);
        nullPassword.put("password", null);
        refused(api.post("/api/auth/login").json(nullPassword).send(), "password");
    }

    /**
     * Half a surrogate pair was stored as a question mark, so a password holding one let in the
     * same password with a question mark in its place; and a password of spaces only was taken.
     */
    @Test
    void passwordsThatAreNotWholeTextOrOnlySpacesAreRefused() {
        String email = Platform.unique("halves").replace(" ", "-") + "@tenantry.test";
        for (String password : List.of("pass\\ud800word long", "\\udc00 long enough pass", "          ")) {
            refused(api.post("/api/users").as(owner).raw("{\"email\": \"" + email + "\", \"name\": \"Halves\", "
                    + "\"password\": \"" + password + "\"}").send(), "password");
        }
        String id = api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Halves", "password",
                Platform.PASSWORD)).send().expect(201).id();
        refused(api.patch("/api/users/" + id).as(owner).raw("{\"password\": \"pass\\ud800word long\"}").send(),
                "password");
        api.post("/api/auth/login").raw("{\"email\": \"" + email + "\", \"password\": \"pass\\ud800word long\"}")
                .send().expect(401);
        Platform.login(api, email, Platform.PASSWORD);
    }

    /** {@code cursor} with one more part after its own, as a client decoding it could forge. */
    static String withPart(String cursor, String part) {
        String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString((key + "\u001f" + part)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Whichever layer refuses (the security chain, a filter, a handler), the problem's type reads the same. */
    @Test
    void aRefusalHasOneContentTypeWhicheverLayerAnswers() {
        String bound = platform.createUser("user", org, List.of("agents"));
        List<Api.Response> refusals = List.of(api.get("/api/agents").send(),
                api.get("/api/agents").as(bound).org(platform.createOrg("Elsewhere")).send(),
                api.get("/api/agents").as(owner).header("X-Org-Id", "not-an-id").send(),
                api.get("/api/agents/" + UUID.randomUUID()).as(owner).send(),
                postRaw("/api/organizations", "{\"name\": 5}"));
        assertThat(refusals).extracting(Api.Response::status).containsExactly(401, 403, 400, 404, 400);
        assertThat(refusals).extracting(r -> r.header("Content-Type")).containsOnly("application/problem+json");
    }

    @Test
    void aNumberOrABooleanWhereTextIsExpectedIsRefusedNotTurnedIntoText() {
        String before = newestAudit();
        for (String value : List.of("5", "1.5", "true")) {
            refused(postRaw("/api/settings/models", "{\"model\": " + value + ", \"provider\": \"x\","
                    + " \"inputPricePerMillion\": 1, \"outputPricePerMillion\": 1}"), "model");
            refused(postRaw("/api/organizations", "{\"name\": " + value + "}"), "name");
        }
        api.get("/api/settings/models/5/history").as(owner).send().expect(404);
        assertThat(newestAudit()).isEqualTo(before);
    }

    @Test
    void aNumberOrATextWhereAFlagIsExpectedIsRefusedNotTurnedIntoAFlag() {
        String before = newestAudit();
        for (String value : List.of("1", "0", "100000000000000000000", "1.0", "\"true\"", "\"false\"")) {
            refused(api.post("/api/knowledge/documents").org(org).as(owner).raw("{\"title\": \"Flag\", \"content\": "
                    + "\"x\", \"shared\": " + value + "}").send(), "shared");
            refused(api.post("/api/policies").org(org).as(owner).raw("{\"name\": \"Flag\", \"category\": \"custom\", "
                    + "\"content\": \"x\", \"enforcement\": \"informational\", \"enabled\": " + value + "}").send(),
                    "enabled");
        }
        assertThat(newestAudit()).isEqualTo(before);
    }

    @Test
    void aNumberWithMoreDigitsThanTheServerReadsIsRefusedSayingSo() {
        String before = newestAudit();
        Api.Response refused = postRaw("/api/organizations", "{\"name\": \"Digits\", \"billingRatePerAgent\": 1"
                + "0".repeat(1000) + "}");
        refused(refused, null);
        assertThat(refused.text("detail")).contains("more than 1,000 digits");
        assertThat(newestAudit()).isEqualTo(before);
    }

    /**
     * The JSON reader decodes some malformed UTF-8 without complaint (an overlong C0 BC as
     * '<'): a body is refused whole unless its bytes are UTF-8, however it reaches a handler.
     */
    @Test
    void aBodyThatIsNotWellFormedUtf8IsRefusedHoweverItIsRead() throws Exception {
        String before = newestAudit();
        java.util.function.Function<String, byte[]> bytes = hex -> java.util.HexFormat.of().parseHex(hex);
        // Overlong '<' and '/', a surrogate, past U+10FFFF, a stray continuation, a cut-off sequence.
        for (String bad : List.of("c0bc", "e080af", "eda080", "f4908080", "80", "e282")) {
            byte[] name = bytes.apply("61" + bad + "62");
            Api.Response created = api.post("/api/organizations").as(owner).raw(concat(
                    "{\"name\": \"".getBytes(StandardCharsets.UTF_8), name, "\"}".getBytes(StandardCharsets.UTF_8)),
                    "application/json").send();
            refused(created, null);
            assertThat(created.text("detail")).as(bad).contains("not valid UTF-8");
            Api.Response patched = api.patch("/api/agents/" + agent).as(owner).raw(concat(
                    "{\"description\": \"".getBytes(StandardCharsets.UTF_8), name,
                    "\"}".getBytes(StandardCharsets.UTF_8)), "application/json").send();
            refused(patched, null);
            assertThat(patched.text("detail")).as(bad).contains("not valid UTF-8");
        }
        Api.Response call = api.post("/agent/v1/chat/completions").as(agentKey).raw(concat(
                "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"".getBytes(
                        StandardCharsets.UTF_8), bytes.apply("c0bc"), "\"}]}".getBytes(StandardCharsets.UTF_8)),
                "application/json").send();
        assertThat(call.status()).as(call.toString()).isEqualTo(400);
        assertThat(call.json().path("error").path("message").asString()).contains("not valid UTF-8");
        assertThat(newestAudit()).isEqualTo(before);
        // Well-formed text of every length, and a body in UTF-16, still read as before.
        api.post("/api/organizations").as(owner).raw("{\"name\": \"Caf\u00e9 \u20ac \ud83d\ude00\"}"
                .getBytes(StandardCharsets.UTF_8), "application/json").send().expect(201);
        api.post("/api/organizations").as(owner).raw("{\"name\": \"Wide \u00e9\"}"
                .getBytes(StandardCharsets.UTF_16), "application/json").send().expect(201);
    }

    /** A charset's decoder turns bytes it does not define into U+FFFD: a body declared in it is refused instead. */
    @Test
    void aBodyInTheCharsetItDeclaresIsReadStrictlyInIt() {
        String before = newestAudit();
        for (String charset : List.of("windows-1252", "Shift_JIS")) {
            Api.Response refused = api.post("/api/organizations").as(owner).raw(concat(
                    "{\"name\": \"inv ".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0x81},
                    " x\"}".getBytes(StandardCharsets.US_ASCII)), "application/json; charset=" + charset).send();
            refused(refused, null);
            assertThat(refused.text("detail")).as(charset).contains("not valid " + charset);
        }
        assertThat(newestAudit()).isEqualTo(before);
        Api.Response latin = api.post("/api/organizations").as(owner).raw("{\"name\": \"Caf\u00e9 \u20ac\"}"
                .getBytes(java.nio.charset.Charset.forName("windows-1252")), "application/json; charset=windows-1252")
                .send();
        assertThat(latin.status()).as(latin.toString()).isEqualTo(201);
        assertThat(latin.text("name")).isEqualTo("Caf\u00e9 \u20ac");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    @Test
    void aFieldTheServerDoesNotKnowIsAnErrorNamingIt() {
        String before = newestAudit();
        String email = "typo-" + UUID.randomUUID().toString().substring(0, 8) + "@tenantry.test";

        refused(api.post("/api/users").as(owner).json(Map.of("email", email, "name", "Typo", "password",
                Platform.PASSWORD, "role", "user", "orgId", org)).send(), "orgId");
        refused(api.post("/api/agents").as(owner).json(Map.of("name", "Typo agent", "orgId", org)).send(), "orgId");
        refused(api.post("/api/organizations").as(owner).json(Map.of("name", "Typo org", "nmae", "x")).send(), "nmae");
        refused(api.post("/api/settings/models").as(owner).json(Map.of("model", "typo-model", "provider", "T",
                "inputPricePerMillion", 1, "outputPricePerMillion", 1, "inputPrice", 1)).send(), "inputPrice");
        refused(api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "EUR", "rate", "0.9",
                "effectiveFrom", "2150-01", "month", "2150-01")).send(), "month");
        refused(api.post("/api/usage").as(owner).json(Map.of("events", List.of(UsageEvents.withAgent(
                UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now()), agent)), "note", "x")).send(), "note");
        Map<String, Object> typo = new HashMap<>(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1, 1, 0,
                Instant.now()), agent));
        typo.put("inputToken", 5);
        refused(api.post("/api/usage").as(owner).json(typo).send(), "inputToken");
        refused(api.post("/api/auth/login").json(Map.of("email", Platform.OWNER_EMAIL, "password",
                Platform.PASSWORD, "remember", true)).send(), "remember");
        refused(api.post("/api/billing/close").as(owner).json(Map.of("month", "2026-01", "force", true)).send(),
                "force");
        refused(api.post("/api/billing/rerate").as(owner).json(Map.of("model", "gpt-4o", "from",
                "2026-01-01T00:00:00Z", "to", "2026-02-01T00:00:00Z", "all", true)).send(), "all");
        refused(api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", org, "force", true))
                .send(), "force");
        String user = platform.userId(platform.createUser("user", org, List.of("agents")));
        String afterSetUp = newestAudit();
        refused(api.put("/api/users/" + user + "/permissions").as(owner).json(Map.of("pages", List.of("agents"),
                "clientOrgId", org, "orgId", org)).send(), "orgId");

        assertThat(afterSetUp).as("only the set-up user was audited").isNotEqualTo(before);
        assertThat(newestAudit()).as("the refused writes changed nothing").isEqualTo(afterSetUp);
        assertThat(api.get("/api/users?limit=500").as(owner).send().body()).doesNotContain(email);
        assertThat(api.get("/api/agents?q=Typo%20agent").as(owner).send().items()).isEmpty();
    }

    /** Digits of other scripts ("١٢", "３０") are not numbers here, wherever an amount is written as text. */
    @Test
    void amountsInOtherScriptsDigitsAreRefused() {
        String before = newestAudit();
        for (String digits : List.of("١٢", "３０", "1.٥")) {
            refused(api.patch("/api/organizations/" + org).as(owner).json(Map.of("monthlyBudget", digits)).send(),
                    "monthlyBudget");
            refused(api.patch("/api/organizations/" + org).as(owner).json(Map.of("billingRatePerAgent", digits))
                    .send(), "billingRatePerAgent");
            refused(api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "AUD", "rate", digits,
                    "effectiveFrom", "2150-01")).send(), "rate");
        }
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("monthlyBudget", " 12.50 ")).send().expect(200);
        assertThat(api.get("/api/organizations/" + org).as(owner).send().text("monthlyBudget")).isEqualTo("12.50");
        assertThat(newestAudit()).as("only the last, valid change").isNotEqualTo(before);
    }

    @Test
    void onlyJsonIsReadAndWritten() {
        String yaml = "email: careless@tenantry.test\nname: careless\npassword: careless password\nrole: user\n"
                + "orgId: " + org + "\npages: [dashboard]\n";
        Api.Response asYaml = api.post("/api/users").as(owner).header("Content-Type", "application/yaml").raw(yaml)
                .send();
        Api.Response wildcard = api.post("/api/auth/login").header("Content-Type", "*/*").raw("{\"email\": \"a@b.c\","
                + " \"password\": \"whatever it is\"}").send();
        Api.Response yamlAnswer = api.get("/api/organizations").as(owner).header("Accept", "application/yaml").send();

        assertThat(asYaml.status()).as(asYaml.toString()).isEqualTo(415);
        assertThat(wildcard.status()).as(wildcard.toString()).isEqualTo(415);
        assertThat(yamlAnswer.status()).as(yamlAnswer.toString()).isEqualTo(406);
        for (String accept : List.of("text/csv", "application/xml", "image/png")) {
            assertThat(api.get("/api/setup").header("Accept", accept).send().status()).as(accept).isEqualTo(406);
            assertThat(api.get("/api/organizations/" + org + "/billing").as(owner).header("Accept", accept).send()
                    .status()).as(accept).isEqualTo(406);
        }
        assertThat(api.get("/agent/v1/me").as(agentKey).header("Accept", "image/png").send().status()).isEqualTo(406);
        assertThat(api.get("/api/users?limit=500").as(owner).send().body()).doesNotContain("careless@tenantry.test");
    }

    /** The answer's type is settled before the handler runs: a 406 never comes back for a change made. */
    @Test
    void aWriteWhoseAnswerCannotBeAcceptedChangesNothing() {
        String name = Platform.unique("Unacceptable");
        Api.Response created = api.post("/api/organizations").as(owner).header("Accept", "application/xml")
                .json(Map.of("name", name)).send();
        assertThat(created.status()).as(created.toString()).isEqualTo(406);
        assertThat(api.get("/api/organizations?limit=500").as(owner).send().body()).doesNotContain(name);
        Api.Response patched = api.patch("/api/organizations/" + org).as(owner).header("Accept", "text/html")
                .json(Map.of("monthlyBudget", "77.00")).send();
        assertThat(patched.status()).isEqualTo(406);
        assertThat(api.get("/api/organizations/" + org).as(owner).send().text("monthlyBudget")).isNotEqualTo("77.00");
        assertThat(api.get("/api/organizations/" + org + "/billing/2026-01.csv").as(owner)
                .header("Accept", "application/json").send().status()).isEqualTo(406);
        assertThat(api.get("/api/organizations?limit=1").as(owner).header("Accept", "application/*").send()
                .status()).isEqualTo(200);
    }

    @Test
    void aFieldUnderItsNameAndItsAliasAtOnceIsRefused() {
        String orgB = platform.createOrg("Alias B");
        String before = newestAudit();
        refused(api.post("/api/users").as(owner).json(Map.of("email", "alias@tenantry.test", "name", "Alias",
                "password", Platform.PASSWORD, "role", "user", "clientOrgId", org, "client_org_id", orgB)).send(),
                "clientOrgId");
        refused(api.post("/api/agents").as(owner).json(Map.of("name", "Alias agent", "clientOrgId", org,
                "client_org_id", orgB)).send(), "clientOrgId");
        refused(api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", org, "org_id", orgB))
                .send(), "orgId");
        refused(api.post("/api/organizations").as(owner).json(Map.of("name", "Alias org", "billingRatePerAgent", 1,
                "billing_rate_per_agent", 2)).send(), "billingRatePerAgent");
        assertThat(newestAudit()).isEqualTo(before);
    }

    /** A field given twice is named where it stands, at the top or inside a list, as other errors name fields. */
    @Test
    void aFieldGivenTwiceIsRefusedNamingWhereItStands() {
        String before = newestAudit();
        Api.Response top = api.post("/api/organizations").as(owner).raw("{\"name\":\"Twice A\",\"name\":\"Twice B\"}")
                .send();
        refusedTwice(top, "name");
        refusedTwice(api.post("/api/settings/routes").as(owner).raw("{\"model\":\"twice-route\",\"targets\":"
                + "[{\"provider\":\"p\",\"model\":\"a\"},"
                + "{\"provider\":\"p\",\"model\":\"a\",\"model\":\"b\"}]}").send(), "targets[1].model");
        refusedTwice(api.post("/api/usage").as(owner).raw("{\"events\":[{\"agentId\":\"" + agent + "\",\"eventId\":"
                + "\"twice\",\"model\":\"m\",\"inputTokens\":1,\"outputTokens\":1,\"outputTokens\":2}]}").send(),
                "events[0].outputTokens");
        assertThat(newestAudit()).isEqualTo(before);
    }

    private static void refusedTwice(Api.Response response, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.text("field")).as(response.toString()).isEqualTo(field);
        assertThat(response.text("detail")).as(response.toString()).isEqualTo(field + " is given twice.");
    }

    @Test
    void aPasswordLongerThanBcryptReadsIsABadRequest() {
        for (String password : List.of("a".repeat(73), "€".repeat(30))) {
            refused(api.post("/api/users").as(owner).json(Map.of("email", "long-" + UUID.randomUUID() + "@t.test",
                    "name", "Long", "password", password, "role", "user")).send(), "password");
        }
        api.post("/api/users").as(owner).json(Map.of("email", "just-" + UUID.randomUUID() + "@t.test", "name", "Just",
                "password", "a".repeat(72), "role", "user")).send().expect(201);
    }

    @Test
    void readOnlyFieldsInAnEditAreRefusedNotIgnored() {
        refused(api.patch("/api/organizations/" + org).as(owner).json(Map.of("isDefault", true)).send(), "isDefault");
        refused(api.patch("/api/organizations/" + org).as(owner).json(Map.of("id", UUID.randomUUID().toString()))
                .send(), "id");
        refused(api.patch("/api/agents/" + agent).as(owner).json(Map.of("createdAt", "2020-01-01T00:00:00Z")).send(),
                "createdAt");
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("description", "still editable")).send()
                .expect(200);
    }

    @Test
    void theOrgContextIsGivenOnceOrRefused() {
        String other = platform.createOrg("Twice");
        Api.Response headers = api.get("/api/agents").as(owner).header("X-Org-Id", org + ", " + other).send();
        Api.Response parameters = api.get("/api/agents?orgId=" + org + "&orgId=" + other).as(owner).send();

        Api.Response disagreeing = api.get("/api/agents?orgId=" + other).as(owner).org(org).send();
        Api.Response malformed = api.get("/api/agents?orgId=not-an-id").as(owner).send();
        Api.Response blank = api.patch("/api/gateway/settings?orgId=%20").as(owner)
                .json(Map.of("requestsPerMinute", 999)).send();

        refused(headers, "X-Org-Id");
        refused(parameters, "orgId");
        refused(disagreeing, "orgId");
        refused(malformed, "orgId");
        refused(blank, "orgId");
        assertThat(api.get("/api/gateway/settings").as(owner).send().expect(200).json().path("requestsPerMinute")
                .asInt()).as("nothing written to the default organization").isNotEqualTo(999);
    }

    /**
     * An org context naming no organization (a mistyped id, one deleted) was answered as an
     * organization without data: lists empty with a 200. It is not found, and nothing is written.
     */
    @Test
    void anOrgContextNamingNoOrganizationIsNotFoundAndWritesNothing() {
        String none = UUID.randomUUID().toString();
        notFound(api.get("/api/agents").as(owner).header("X-Org-Id", none).send(), "X-Org-Id");
        notFound(api.get("/api/agents?orgId=" + none).as(owner).send(), "orgId");
        notFound(api.get("/api/credentials").as(owner).org(none).send(), "X-Org-Id");
        long agents = api.get("/api/agents?limit=200").as(owner).send().expect(200).json().path("items").size();
        notFound(api.post("/api/agents").as(owner).org(none).json(Map.of("name", Platform.unique("Nowhere")))
                .send(), "X-Org-Id");
        assertThat(api.get("/api/agents?limit=200").as(owner).send().expect(200).json().path("items").size())
                .as("no agent created anywhere").isEqualTo(agents);

        String deleted = platform.createOrg("Deleted soon");
        api.get("/api/agents").as(owner).org(deleted).send().expect(200);
        api.delete("/api/organizations/" + deleted).as(owner).send().expect(204);
        notFound(api.get("/api/agents").as(owner).org(deleted).send(), "X-Org-Id");
    }

    private static void notFound(Api.Response response, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(404);
        assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.text("field")).as(response.toString()).isEqualTo(field);
        assertThat(response.text("detail")).as(response.toString()).contains("No organization");
    }

    @Test
    void anAgentCannotNameAnAgentInItsReport() {
        String other = platform.createAgent(platform.createOrg("Elsewhere"), "Not yours");
        Map<String, Object> event = UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1, 1, 0, Instant.now()), other);

        refused(api.post("/agent/v1/usage").as(agentKey).json(event).send(), "agentId");
    }

    @Test
    void theGuidesSnakeCaseNamesStayAccepted() {
        api.post("/api/organizations").as(owner).json(Map.of("name", Platform.unique("Snake"),
                "billing_rate_per_agent", "12.50", "contact_name", "Sam", "contact_email", "sam@example.com"))
                .send().expect(201);
        api.post("/api/agents").as(owner).json(Map.of("name", Platform.unique("Snake agent"), "client_org_id", org,
                "billing_rate_override", "3.00")).send().expect(201);
    }

    @Test
    void numbersAreRefusedBySizeBeforeTheyAreConverted() {
        String before = newestAudit();
        for (String number : List.of(HUGE, SLOW, "-" + HUGE, "1e-999999999", "123456789012345678901234567890")) {
            refused(postRaw("/api/usage", usage("inputTokens", number)), "inputTokens");
            refused(api.post("/agent/v1/usage").as(agentKey).raw(agentUsage("outputTokens", number)).send(),
                    "outputTokens");
            refused(postRaw("/api/organizations", "{\"name\": \"Huge\", \"billingRatePerAgent\": " + number + "}"),
                    "billingRatePerAgent");
            refused(postRaw("/api/organizations", "{\"name\": \"Huge\", \"monthlyBudget\": " + number + "}"),
                    "monthlyBudget");
            refused(postRaw("/api/organizations", "{\"name\": \"Huge\", \"budgetAlertThresholds\": [50, " + number
                    + "]}"), "budgetAlertThresholds[1]");
            refused(postRaw("/api/agents", "{\"name\": \"Huge\", \"billingRateOverride\": " + number + "}"),
                    "billingRateOverride");
            refused(postRaw("/api/settings/models", "{\"model\": \"huge-model\", \"provider\": \"H\","
                    + " \"inputPricePerMillion\": " + number + ", \"outputPricePerMillion\": 1}"),
                    "inputPricePerMillion");
            refused(api.put("/api/settings/fx-rates").as(owner).raw("{\"currency\": \"EUR\", \"rate\": " + number
                    + ", \"effectiveFrom\": \"2150-02\"}").send(), "rate");
            refused(api.patch("/api/organizations/" + org).as(owner)
                    .json(Map.of("billingRatePerAgent", number)).send(), "billingRatePerAgent");
            refused(api.patch("/api/agents/" + agent).as(owner).json(Map.of("billingRateOverride", number)).send(),
                    "billingRateOverride");
        }
        assertThat(newestAudit()).isEqualTo(before);
    }

    @Test
    void timesOutsideThePlausibleRangeAreRefusedNamingTheField() {
        String before = newestAudit();
        for (String at : EXTREME_INSTANTS) {
            refused(postRaw("/api/usage", usage("occurredAt", "\"" + at + "\"")), "occurredAt");
            refused(api.get("/api/audit?from=" + at.replace("+", "%2B")).as(owner).send(), "from");
            refused(api.get("/api/audit?to=" + at.replace("+", "%2B")).as(owner).send(), "to");
            refused(api.post("/api/settings/models").as(owner).json(Map.of("model", "time-model", "provider", "T",
                    "inputPricePerMillion", 1, "outputPricePerMillion", 1, "effectiveFrom", at)).send(),
                    at.startsWith("1999") ? "effectiveFrom" : "effectiveFrom");
            refused(api.post("/api/billing/rerate").as(owner).json(Map.of("model", "gpt-4o", "from", at, "to",
                    "2150-01-01T00:00:00Z")).send(), "from");
            refused(api.post("/api/billing/rerate").as(owner).json(Map.of("model", "gpt-4o", "from",
                    "2001-01-01T00:00:00Z", "to", at)).send(), "to");
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString((at + "\u001f"
                    + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
            refused(api.get("/api/audit?cursor=" + forged).as(owner).send(), "cursor");
            refused(api.get("/api/agents/" + agent + "/assignments?cursor=" + forged).as(owner).send(), "cursor");
        }
        // Times no clock shows are not read as others (outside tester: 24:00 was the next day).
        for (String at : List.of("2026-12-06T24:00:00Z", "2026-12-06T23:59:60Z", "2026-12-06t24:00:00.000Z")) {
            refused(postRaw("/api/usage", usage("occurredAt", "\"" + at + "\"")), "occurredAt");
            refused(api.get("/api/audit?from=" + at).as(owner).send(), "from");
        }
        refused(api.post("/api/billing/close").as(owner).json(Map.of("month", "0000-01")).send(), "month");
        refused(api.post("/api/billing/close").as(owner).json(Map.of("month", "2200-01")).send(), "month");
        refused(api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", "EUR", "rate", "0.9",
                "effectiveFrom", "1999-12")).send(), "effectiveFrom");
        refused(api.get("/api/organizations/" + org + "/billing?month=0000-01").as(owner).send(), "month");
        assertThat(newestAudit()).isEqualTo(before);
    }

    /** An id written with other scripts' digits, as UUID.fromString would still read it. */
    static String fullWidth(String id) {
        StringBuilder written = new StringBuilder();
        id.chars().forEach(c -> written.append(c >= '0' && c <= '9' ? (char) ('\uFF10' + c - '0') : (char) c));
        return written.toString();
    }

    static String inUrl(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Numbers and ids in paths and queries: ASCII digits, nothing around them, no other notation. */
    @Test
    void numbersAndIdsInPathsAndQueriesAreReadStrictly() {
        // 0x10, a tab around 10, Arabic-Indic 12, a full-width 3, a plus sign, an exponent, a space.
        for (String number : List.of("0x10", "%0910", "10%09", "%D9%A1%D9%A2", "%EF%BC%93", "%2B10", "1e1", "%2010")) {
            refused(api.get("/api/agents?limit=" + number).as(owner).org(org).send(), "limit");
            refused(api.get("/api/organizations/" + org + "/billing-summary?months=" + number).as(owner).send(),
                    "months");
        }
        assertThat(api.get("/api/agents?limit=1").as(owner).org(org).send().expect(200).items()).hasSize(1);
        assertThat(api.get("/api/organizations/" + org + "/billing-summary?months=1").as(owner).send().expect(200)
                .items()).hasSize(1);

        assertThat(org).containsPattern("[0-9]");
        refused(api.get("/api/organizations/" + inUrl(fullWidth(org))).as(owner).send(), "id");
        refused(api.get("/api/agents?orgId=" + inUrl(fullWidth(org))).as(owner).send(), null);
        refused(api.get("/api/billing/month-to-date?orgIds=" + inUrl(fullWidth(org))).as(owner).send(), "orgIds");
        refused(api.post("/api/usage").as(owner).json(UsageEvents.withAgent(UsageEvents.event("gpt-4o", 1, 1, 0,
                Instant.now()), fullWidth(agent))).send(), "agentId");
    }

    /** Spaces around an amount written as text are a slip; other whitespace and controls are not. */
    @Test
    void onlySpacesAroundAnAmountWrittenAsTextAreForgiven() {
        for (String around : List.of("\u001f", "\u001c", "\t", "\n")) {
            refused(api.patch("/api/organizations/" + org).as(owner).json(Map.of("monthlyBudget", around + "12.50"))
                    .send(), "monthlyBudget");
            refused(api.patch("/api/organizations/" + org).as(owner).json(Map.of("monthlyBudget", "12.50" + around))
                    .send(), "monthlyBudget");
        }
        api.patch("/api/organizations/" + org).as(owner).json(Map.of("monthlyBudget", "  7.25 ")).send().expect(200);
        assertThat(api.get("/api/organizations/" + org).as(owner).send().text("monthlyBudget")).isEqualTo("7.25");
    }

    @Test
    void aBlankOrMalformedIdInAPathIsABadRequest() {
        for (String path : List.of("/api/organizations/%20", "/api/agents/%20", "/api/users/%20",
                "/api/agents/%20/keys", "/api/organizations/%20/billing", "/api/organizations/not-an-id")) {
            Api.Response answer = api.get(path).as(owner).send();
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(api.patch("/api/agents/%20").as(owner).json(Map.of("name", "x")).send().status()).isEqualTo(400);
        assertThat(api.delete("/api/users/%20").as(owner).send().status()).isEqualTo(400);
    }

    @Test
    void theErrorAddressAnswersAsAProblemToAnyone() {
        for (String token : new String[] {null, owner}) {
            Api.Response error = api.get("/error").as(token).send();
            assertThat(error.status()).as(error.toString()).isEqualTo(404);
            assertThat(error.header("Content-Type")).startsWith("application/problem+json");
        }
        Api.Response refused = api.get("/api/me;jsessionid=x").as(owner).header("X-Request-Id", "probe-firewall")
                .send();
        refused(refused, null);
        assertThat(refused.text("instance")).as("the address asked for, not /error").isEqualTo("/api/me;jsessionid=x");
        assertThat(refused.text("requestId")).isEqualTo("probe-firewall");
    }

    @Test
    void refusalsOfTheSecurityFiltersCarryTheRequestId() {
        Api.Response anonymous = api.get("/api/agents").header("X-Request-Id", "probe-401").send();
        String client = platform.createUser("user", org, List.of("agents"));
        Api.Response forbidden = api.get("/api/users").as(client).header("X-Request-Id", "probe-403").send();

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.text("requestId")).isEqualTo("probe-401");
        assertThat(anonymous.header("X-Request-Id")).isEqualTo("probe-401");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.text("requestId")).isEqualTo("probe-403");
    }

    @Test
    void aRequestTooLargeForTheContainerIsAProblemNotAnHtmlPage() {
        String longAddress = "/api/me?padding=" + "a".repeat(9_000);
        Api.Response tooLongAddress = api.get(longAddress).as(owner).send();
        Api.Response tooLargeHeader = api.get("/api/me").as(owner).header("X-Padding", "b".repeat(9_000)).send();

        for (Api.Response response : List.of(tooLongAddress, tooLargeHeader)) {
            refused(response, null);
            assertThat(response.json().path("status").asInt()).isEqualTo(400);
            assertThat(response.body()).doesNotContain("<html").doesNotContain("Tomcat");
        }
    }

    @Test
    void namesRefuseC1ControlsAndBrokenUnicode() {
        String before = newestAudit();
        for (String name : List.of("Next\\u0085Line", "Lone \\ud800 surrogate", "Reversed \\udc00\\ud800",
                "Bell\\u0007", "Escape\\u009b[31m", "Alpha\\u202eproc", "\\ufeffAlpha", "Zero\\u200bwidth",
                "Isolate\\u2066x", "Tag\\udb40\\udc41")) {
            refused(postRaw("/api/organizations", "{\"name\": \"" + name + "\"}"), "name");
            refused(postRaw("/api/agents", "{\"name\": \"" + name + "\"}"), "name");
            refused(api.patch("/api/organizations/" + org).as(owner).raw("{\"description\": \"" + name + "\"}")
                    .send(), "description");
        }
        for (String tabbed : List.of("Tab\\there")) {
            refused(postRaw("/api/organizations", "{\"name\": \"" + tabbed + "\"}"), "name");
        }
        assertThat(newestAudit()).isEqualTo(before);
        api.post("/api/organizations").as(owner).raw("{\"name\": \"" + Platform.unique("Ünïcödé 組織 \\ud83d\\ude80")
                + "\"}").send().expect(201);
    }

    /**
     * Outside tester: characters that show as nothing were let into names (U+17B4, the Braille
     * blank, a musical format character) and addresses (U+17B4, a variation selector), where
     * "own\u17b4er@..." signed in looking like the owner. Joiners, direction marks and emoji's
     * variation selectors stay allowed in names; nothing invisible in addresses.
     */
    @Test
    void namesAndAddressesRefuseCharactersThatShowNothing() {
        String before = newestAudit();
        for (String name : List.of("Khmer\\u17b4vowel", "Braille\\u2800blank", "Music\\ud834\\udd73format",
                "Annotation\\ufff9x", "Object\\ufffcx", "Number\\u0600sign")) {
            refused(postRaw("/api/organizations", "{\"name\": \"" + name + "\"}"), "name");
            refused(postRaw("/api/agents", "{\"name\": \"" + name + "\"}"), "name");
        }
        // Retest: default-ignorable code points Java 17's tables do not know, and what no mail carries.
        for (String name : List.of("Unassigned\\u2065x", "Ignorable\\ufff0x", "Tag\\udb40\\udc80x",
                "Separator\\u180ex")) {
            refused(postRaw("/api/organizations", "{\"name\": \"" + name + "\"}"), "name");
        }
        for (String address : List.of("own\\u17b4er@x.test", "a\\ufe0f@x.test", "ua@x\\u2800.test",
                "l\\u200eft@x.test", "m\\u034fark@x.test", "owner\\u2065@x.test", "ua@x\\ufff0.test",
                "ub\\u180f@x.test", "\\\"ua\\\"@x.test", "u\\u1680a@x.test", "ua@x\\ufffd.test",
                "ua@x\\ue000.test", "ua@x\\ufdd0.test", "ua@x.\\u0301test")) {
            refused(postRaw("/api/users", "{\"email\": \"" + address + "\", \"name\": \"Look-alike\", "
                    + "\"password\": \"long enough password\", \"role\": \"admin\"}"), "email");
        }
        assertThat(newestAudit()).isEqualTo(before);
        for (String name : List.of("\\u0641\\u0627\\u0631\\u0633\\u06cc\\u200c\\u0627 ZWNJ",
                "Family \\ud83d\\udc68\\u200d\\ud83d\\udc69 ZWJ", "Heart \\u2764\\ufe0f",
                "Mixed \\u05e9\\u05dc\\u05d5\\u05dd\\u200e 42", "Mongolian \\u182d\\u180f")) {
            api.post("/api/organizations").as(owner).raw("{\"name\": \"" + Platform.unique(name) + "\"}").send()
                    .expect(201);
        }
    }

    /** Outside tester: "Owner", " owner" and "eur" were read as owner and EUR, against the API document's values. */
    @Test
    void anEmptyTextIsNoCurrencySlugOrTimeAndIsRefusedNotReadAsAbsent() {
        String before = newestAudit();
        refused(api.post("/api/organizations").as(owner).json(Map.of("name", Platform.unique("Blank currency"),
                "currency", "")).send(), "currency");
        refused(api.post("/api/organizations").as(owner).json(Map.of("name", Platform.unique("Blank slug"),
                "slug", "")).send(), "slug");
        refused(api.patch("/api/organizations/" + org).as(owner).json(Map.of("currency", "")).send(), "currency");
        for (String blank : List.of("", " ")) {
            refused(api.post("/api/settings/models").as(owner).json(Map.of("model", Platform.unique("blank-from")
                    .replace(" ", "-").toLowerCase(java.util.Locale.ROOT), "provider", "P", "inputPricePerMillion", 1,
                    "outputPricePerMillion", 1, "effectiveFrom", blank)).send(), "effectiveFrom");
            refused(api.post("/agent/v1/usage").as(agentKey).json(Map.of("eventId", Platform.unique("blank-time")
                    .replace(" ", "-"), "model", "gpt-4o", "inputTokens", 1, "outputTokens", 1, "occurredAt", blank))
                    .send(), "occurredAt");
        }
        assertThat(newestAudit()).isEqualTo(before);
        Map<String, Object> sentWithoutSlug = new java.util.HashMap<>(Map.of("name", Platform.unique("Slug made")));
        sentWithoutSlug.put("slug", null);
        assertThat(api.post("/api/organizations").as(owner).json(sentWithoutSlug).send().expect(201).text("slug"))
                .as("a null slug is made from the name").startsWith("slug-made");
    }

    @Test
    void valuesOfAFixedListAreTakenAsWritten() {
        String before = newestAudit();
        for (String role : List.of("Owner", "OWNER", " owner", "owner ", "USER")) {
            refused(api.post("/api/users").as(owner).json(Map.of("email", Platform.unique("cased").replace(" ", "")
                    + "@x.test", "name", "Cased", "password", "long enough password", "role", role)).send(), "role");
        }
        for (String currency : List.of("eur", " EUR", "Gbp")) {
            refused(api.post("/api/organizations").as(owner).json(Map.of("name", Platform.unique("Cased"),
                    "currency", currency)).send(), "currency");
            refused(api.put("/api/settings/fx-rates").as(owner).json(Map.of("currency", currency, "rate", "0.9",
                    "effectiveFrom", "2099-01")).send(), "currency");
        }
        assertThat(newestAudit()).isEqualTo(before);
    }

    @Test
    void aHeaderTheFirewallRefusesIsABadRequestNotAServerError() throws java.io.IOException {
        String agentKey = platform.issueKey(platform.createAgent(org, "Tabbed reporter"));
        // Read by the controller (the usage report's key), by a filter (the session token), and by both.
        for (String headers : List.of("Authorization: Bearer " + agentKey + "\r\nIdempotency-Key: a\tb",
                "Authorization: Bearer a\tb", "Authorization: Bearer " + agentKey + "\r\nX-Org-Id: " + org + "\tx")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(("POST /agent/v1/usage HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(answer).as(headers).startsWith("HTTP/1.1 400 ");
                assertThat(answer).as(headers).contains("application/problem+json")
                        .contains("characters the server does not accept");
            }
        }
    }

    @Test
    void aUserWithOnlyTheDashboardPageLearnsNoOrganizationsName() {
        String dashboardOnly = platform.createUser("user", null, List.of("dashboard"));

        Api.Response context = api.get("/api/org-context").as(dashboardOnly).send().expect(200);
        Api.Response picked = api.get("/api/org-context").org(org).as(dashboardOnly).send().expect(200);

        assertThat(context.json().path("orgs").size()).isZero();
        assertThat(context.json().path("clientOrgsExist").asBoolean()).isFalse();
        assertThat(picked.json().path("current").isNull()).isTrue();
        assertThat(context.body() + picked.body()).doesNotContain(org).doesNotContain("Hostile")
                .doesNotContain("Default organization");
        String withAgents = platform.createUser("user", null, List.of("agents"));
        assertThat(api.get("/api/org-context").as(withAgents).send().json().path("orgs").size()).isPositive();
    }

    /** An operator's usage report as raw JSON, with {@code field} set to the raw JSON {@code value}. */
    String usage(String field, String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("agentId", "\"" + agent + "\"");
        fields.put("eventId", "\"" + UUID.randomUUID() + "\"");
        fields.put("model", "\"gpt-4o\"");
        fields.put("inputTokens", "1");
        fields.put("outputTokens", "1");
        fields.put("occurredAt", "\"" + Instant.now() + "\"");
        fields.put(field, value);
        return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
    }

    /** The same as an agent reports it: no agentId, no occurredAt. */
    String agentUsage(String field, String value) {
        return usage(field, value).replace("\"agentId\": \"" + agent + "\", ", "")
                .replaceAll(", \"occurredAt\": \"[^\"]*\"", "");
    }
}
