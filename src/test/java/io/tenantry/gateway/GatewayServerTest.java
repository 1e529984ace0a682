package io.tenantry.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.tenantry.support.ServerTest;

/**
 * A server test of the gateway: a fake upstream running for the class, and an organization
 * with one agent and its key, made anew by each test that asks.
 */
abstract class GatewayServerTest extends ServerTest {

    static FakeUpstream fake;

    String org;
    String agent;
    String key;

    @BeforeAll
    static void startUpstream() throws IOException {
        fake = new FakeUpstream();
    }

    @AfterAll
    static void stopUpstream() {
        fake.close();
    }

    /** Sends a chat call with {@code json} as its body on a connection of the test's own, as the agent's key. */
    void sendChat(Socket socket, byte[] json) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /agent/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.flush();
    }

    /** The upstream back to its defaults, and a new organization named {@code name} with an agent and its key. */
    void freshOrganization(String name) {
        fake.reset();
        org = platform.createOrg(name);
        agent = platform.createAgent(org, name + " agent");
        key = platform.issueKey(agent);
    }
}
