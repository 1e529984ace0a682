package io.tenantry.support;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A test class that talks to the running server as the owner and the people it creates.
 * Subclasses carry {@link TenantryTest}. None starts within minutes of midnight UTC, so
 * "today" and "this month" stay what they were when it began (see {@link MonthEdge}).
 */
public abstract class ServerTest {

    @LocalServerPort
    protected int port;

    protected Api api;
    protected Platform platform;
    protected String owner;

    @BeforeAll
    void connect() {
        MonthEdge.awayFromMidnight();
        api = new Api(port);
        platform = new Platform(api);
        owner = platform.owner();
    }
}
