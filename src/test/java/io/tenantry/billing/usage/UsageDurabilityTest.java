package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.TestDatabase;
import io.tenantry.support.UsageEvents;

/**
 * An acknowledged usage event is durable: the real server runs as a process of its own,
 * is killed with SIGKILL straight after acknowledging a run of reports, and after a
 * restart on the same database every acknowledged event is there (a re-send is answered
 * as a replay). On H2 this runs against the embedded default's own file database.
 */
class UsageDurabilityTest {

    private static final String OWNER_PASSWORD = "durable owner password";

    private Process server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void everyAcknowledgedEventSurvivesAKilledServer() throws Exception {
        Map<String, String> environment = new HashMap<>();
        environment.put("TENANTRY_OWNER_EMAIL", "durable@tenantry.test");
        environment.put("TENANTRY_OWNER_PASSWORD", OWNER_PASSWORD);
        if (TestDatabase.postgres()) {
            environment.putAll(TestDatabase.postgresEnvironment());
        } else {
            environment.put("TENANTRY_DATA_DIR", Files.createTempDirectory("tenantry-durable").toString());
        }
        int port = freePort();
        environment.put("TENANTRY_PORT", String.valueOf(port));
        Api api = new Api(port);

        server = start(environment);
        String owner = Platform.login(api, "durable@tenantry.test", OWNER_PASSWORD);
        String org = api.post("/api/organizations").as(owner).json(Map.of("name", "Durable")).send().expect(201).id();
        String agent = api.post("/api/agents").as(owner).org(org).json(Map.of("name", "Durable agent")).send()
                .expect(201).id();
        String key = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
        List<Map<String, Object>> acknowledged = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<String, Object> event = UsageEvents.event("gpt-4o", 100 + i, 10, 0, Instant.now());
            api.post("/agent/v1/usage").as(key).json(event).send().expect(201);
            acknowledged.add(event);
        }
        server.destroyForcibly().waitFor();

        server = start(environment);
        for (Map<String, Object> event : acknowledged) {
            Api.Response again = api.post("/agent/v1/usage").as(key).json(event).send().expect(201);
            assertThat(again.header("Idempotent-Replayed")).as("event %s was kept", event.get("eventId"))
                    .isEqualTo("true");
        }
    }

    private static Process start(Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.tenantry.TenantryApplication");
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true);
        builder.redirectOutput(File.createTempFile("tenantry-durable", ".log"));
        Process process = builder.start();
        Api api = new Api(Integer.parseInt(environment.get("TENANTRY_PORT")));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue());
            }
            try {
                if (api.get("/actuator/health").send().status() == 200) {
                    return process;
                }
            } catch (IllegalStateException notYet) {
                Thread.sleep(250);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the server did not start within 120 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
