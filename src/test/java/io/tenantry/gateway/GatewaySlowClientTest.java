package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.support.Api;
import io.tenantry.support.TenantryTest;
import tools.jackson.databind.JsonNode;

/**
 * A client that stays connected and stops reading a stream holds its call only until the
 * server's connection timeout (two seconds here): the gateway gives up on it, cancels the
 * upstream, bills what was streamed, and logs why, apart from a client that left.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=gateway-slow-client",
        "server.tomcat.connection-timeout=2s"})
class GatewaySlowClientTest extends GatewayServerTest {

    /** Chunks of text, far more than the buffers between the server and the client hold. */
    static final int CHUNKS = 400;

    @Test
    void aClientThatStopsReadingAStreamIsGivenUpOnAndTheCallSaysSo() throws Exception {
        freshOrganization("Slow reader org");
        String keyName = "UPSTREAM_" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/credentials").org(DefaultOrg.ID.toString()).as(owner).json(Map.of("name", keyName, "kind",
                "api_key", "value", "sk-" + UUID.randomUUID(), "agentReadable", false)).send().expect(201);
        String provider = "slow-reader-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/providers").as(owner).json(Map.of("name", provider, "baseUrl", fake.baseUrl(),
                "keyCredential", keyName)).send().expect(201);
        String model = "gpt-slow-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/settings/routes").as(owner).json(Map.of("model", model, "targets",
                List.of(Map.of("provider", provider, "model", "upstream")))).send().expect(201);
        String words = "many words of a long answer ".repeat(1000);
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < CHUNKS; i++) {
            chunks.add("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
                    + "[{\"index\":0,\"delta\":{\"content\":\"" + words + "\"},\"finish_reason\":null}]}");
        }
        fake.streamChunks = chunks;
        // Eight seconds of chunks, 11 MB in all: the client is given up on long before the last.
        fake.streamGapMillis = 20;

        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("stream", true);
        body.put("max_tokens", 50_000_000);
        body.put("messages", List.of(Map.of("role", "user", "content", "Write at length.")));
        byte[] json = Api.JSON.writeValueAsBytes(body);
        JsonNode logged;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            sendChat(socket, json);
            InputStream in = socket.getInputStream();
            byte[] first = new byte[1024];
            int read = in.read(first);
            assertThat(new String(first, 0, Math.max(read, 0), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            // Connected, and reading no more.
            logged = loggedWithin(20);
        }
        assertThat(logged).as("the call ended while its client was still connected").isNotNull();
        assertThat(logged.path("status").asString()).isEqualTo("cancelled");
        assertThat(logged.path("errorCode").asString()).isEqualTo("client_too_slow");
        assertThat(logged.path("outputTokens").asLong()).as("what was streamed is billed").isPositive();
        assertThat(fake.scriptedChunksSent)
                .as("the upstream stopped once the client was given up on (of %d chunks)", CHUNKS)
                .isLessThan(CHUNKS);
    }

    /** The org's newest request log line, waited for up to {@code seconds}; null if none came. */
    private JsonNode loggedWithin(int seconds) throws InterruptedException {
        for (int i = 0; i < seconds * 10; i++) {
            List<JsonNode> log = api.get("/api/gateway/requests").org(org).as(owner).send().expect(200).items();
            if (!log.isEmpty()) {
                return log.get(0);
            }
            Thread.sleep(100);
        }
        return null;
    }
}
