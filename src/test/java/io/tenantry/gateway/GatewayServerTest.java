package io.tenantry.gateway;

import java.io.IOException;

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

    /** The upstream back to its defaults, and a new organization named {@code name} with an agent and its key. */
    void freshOrganization(String name) {
        fake.reset();
        org = platform.createOrg(name);
        agent = platform.createAgent(org, name + " agent");
        key = platform.issueKey(agent);
    }
}
