package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * Usage reports read their body with {@link JsonObjectBodyResolver}, other endpoints with
 * Spring's body reading: a malformed body is answered alike by both, with every strict rule.
 */
@TenantryTest
class JsonObjectBodyTest extends ServerTest {

    @Autowired
    RequestMappingHandlerAdapter adapter;

    @Test
    void theLeanReaderIsAskedBeforeSpringsBodyReading() {
        assertThat(adapter.getArgumentResolvers().get(0)).isInstanceOf(JsonObjectBodyResolver.class);
    }

    @Test
    void everyMalformedBodyIsAnsweredAsSpringsBodyReadingAnswersIt() {
        String agent = platform.createAgent(platform.createOrg("Bodies"), "Patched");
        String huge = "{\"model\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        for (String body : List.of("{", "{\"model\": 1,}", "{\"model\": \"a\", \"model\": \"b\"}", "{} {}", "{} x",
                "[]", "[{}]", "\"text\"", "42", "{\"model\": tru}", "\u0000", huge)) {
            Api.Response lean = api.post("/api/usage").as(owner).raw(body).send();
            Api.Response spring = api.patch("/api/agents/" + agent).as(owner).raw(body).send();

            String shown = body.length() > 40 ? body.substring(0, 40) + "..." : body;
            assertThat(lean.status()).as("status for %s: %s", shown, lean).isEqualTo(spring.status())
                    .isBetween(400, 499);
            assertThat(lean.text("detail")).as("detail for %s", shown).isEqualTo(spring.text("detail"));
            assertThat(lean.text("field")).as("field for %s", shown).isEqualTo(spring.text("field"));
        }
        Api.Response text = api.post("/api/usage").as(owner).header("Content-Type", "text/plain").raw("{}").send();
        assertThat(text.status()).isEqualTo(415);
        for (String type : List.of("text/plain", "application/xml", "*/*", "application/json; charset=bogus")) {
            Api.Response empty = api.post("/api/usage").as(owner).raw(new byte[0], type).send();
            assertThat(empty.status()).as("an empty body declared %s: %s", type, empty).isEqualTo(415);
        }
        for (String type : List.of("*/*", "application/*")) {
            Api.Response wildcard = api.patch("/api/agents/" + agent).as(owner).raw(new byte[0], type).send();
            assertThat(wildcard.status()).as("Spring's reading, an empty body declared %s: %s", type, wildcard)
                    .isEqualTo(415);
        }
    }

    @Test
    void aBodyIsDecodedByTheCharsetItDeclares() {
        String agent = platform.createAgent(platform.createOrg("Charsets"), "Encoded");
        String report = "{\"agentId\": \"" + agent + "\", \"eventId\": \"ebcdic-1\", \"model\": \"gpt-4o\", "
                + "\"inputTokens\": 3, \"outputTokens\": 4, \"occurredAt\": \"" + java.time.Instant.now() + "\"}";

        Api.Response ebcdic = api.post("/api/usage").as(owner).raw(report.getBytes(java.nio.charset.Charset
                .forName("IBM037")), "application/json; charset=IBM037").send();
        Api.Response utf16 = api.post("/api/usage").as(owner).raw(report.replace("ebcdic-1", "utf16-1")
                .getBytes(java.nio.charset.StandardCharsets.UTF_16), "application/json").send();

        assertThat(ebcdic.status()).as(ebcdic.toString()).isEqualTo(201);
        assertThat(ebcdic.json().path("eventId").asString()).isEqualTo("ebcdic-1");
        assertThat(utf16.status()).as(utf16.toString()).isEqualTo(201);
    }

    @Test
    void aWellFormedReportIsReadWithItsNumbersExact() {
        String agent = platform.createAgent(platform.createOrg("Exact"), "Counted");
        Api.Response stored = api.post("/api/usage").as(owner).raw("{\"agentId\": \"" + agent + "\", \"eventId\": "
                + "\"exact-1\", \"model\": \"gpt-4o\", \"inputTokens\": 1000000000000, \"outputTokens\": 2.0, "
                + "\"occurredAt\": \"" + java.time.Instant.now() + "\"}").send();
        Api.Response fraction = api.post("/api/usage").as(owner).json(Map.of("agentId", agent, "eventId", "exact-2",
                "model", "gpt-4o", "inputTokens", 1, "outputTokens", 2.5, "occurredAt",
                java.time.Instant.now().toString())).send();

        assertThat(stored.status()).as(stored.toString()).isEqualTo(201);
        assertThat(stored.json().path("inputTokens").asLong()).isEqualTo(1_000_000_000_000L);
        assertThat(fraction.status()).isEqualTo(400);
        assertThat(fraction.text("field")).isEqualTo("outputTokens");
    }
}
