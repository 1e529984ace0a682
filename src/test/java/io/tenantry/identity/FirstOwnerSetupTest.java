package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Api;
import io.tenantry.support.TenantryTest;

/** A server of its own, on an empty database: the first visit creates the owner. */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=first-owner-setup")
class FirstOwnerSetupTest {

    @LocalServerPort
    int port;

    @Test
    void theFirstOwnerIsCreatedOnceEvenWhenManyTryAtOnce() {
        Api api = new Api(port);
        assertThat(api.get("/api/setup").send().expect(200).json().path("setupRequired").asBoolean()).isTrue();
        api.post("/api/setup").json(Map.of("email", "bad", "name", "x", "password", "long enough pass")).send()
                .expect(400);
        api.post("/api/setup").json(Map.of("email", "a@b.io", "name", "x", "password", "short")).send().expect(400);

        List<CompletableFuture<Api.Response>> attempts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String email = "founder" + i + "@tenantry.test";
            attempts.add(CompletableFuture.supplyAsync(() -> api.post("/api/setup")
                    .json(Map.of("email", email, "name", "Founder", "password", "a long founder password")).send()));
        }
        List<Api.Response> answers = attempts.stream().map(CompletableFuture::join).toList();

        assertThat(answers.stream().filter(r -> r.status() == 201)).hasSize(1);
        assertThat(answers.stream().filter(r -> r.status() == 409)).hasSize(5);
        Api.Response winner = answers.stream().filter(r -> r.status() == 201).findFirst().orElseThrow();
        assertThat(winner.json().path("user").path("role").asString()).isEqualTo("owner");
        assertThat(api.get("/api/users").as(winner.text("token")).send().expect(200).items()).hasSize(1);
        assertThat(api.get("/api/setup").send().json().path("setupRequired").asBoolean()).isFalse();
    }
}
