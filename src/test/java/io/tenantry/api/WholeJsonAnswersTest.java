package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * JSON answers larger than the server's buffers still leave whole, with their length rather
 * than chunked (WholeJsonAnswers): clients see the same bytes, and the server writes them
 * in one go.
 */
@TenantryTest
class WholeJsonAnswersTest extends ServerTest {

    @Test
    void aListOfManyBuffersIsSentWithItsLength() {
        String description = "Ünïcode-heavy description ✓ ".repeat(30);
        for (int i = 0; i < 30; i++) {
            platform.createOrg(Map.of("name", Platform.unique("Whole answer " + i), "description", description));
        }

        Api.Response list = api.get("/api/organizations?limit=50&q=Whole%20answer").as(owner).send().expect(200);

        byte[] body = list.body().getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).as("more than two of Tomcat's 8 KB buffers").isGreaterThan(16 * 1024);
        assertThat(list.items()).hasSize(30);
        assertThat(list.header("Content-Length")).isEqualTo(String.valueOf(body.length));
        assertThat(list.header("Transfer-Encoding")).isNull();
        assertThat(list.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void aProblemDetailIsSentWithItsLength() {
        Api.Response missing = api.get("/api/organizations/" + UUID.randomUUID()).as(owner).send().expect(404);

        assertThat(missing.header("Content-Length"))
                .isEqualTo(String.valueOf(missing.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
        assertThat(missing.text("status")).isEqualTo("404");
    }
}
