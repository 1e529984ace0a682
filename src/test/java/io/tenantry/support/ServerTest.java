package io.tenantry.support;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A test class that talks to the running server as the owner and the people it creates.
 * Subclasses carry {@link TenantryTest}.
 */
public abstract class ServerTest {

    @LocalServerPort
    protected int port;

    protected Api api;
    protected Platform platform;
    protected String owner;

    @BeforeAll
    void connect() {
        api = new Api(port);
        platform = new Platform(api);
        owner = platform.owner();
    }
}
