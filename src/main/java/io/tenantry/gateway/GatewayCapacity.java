package io.tenantry.gateway;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Semaphore;

import org.apache.coyote.AbstractProtocol;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

import io.tenantry.tenancy.OrgShares;

/**
 * How many gateway calls this node serves at once. A call holds its request thread while its
 * model answers: seconds for a whole answer, a stream's whole length. With only Tomcat's
 * threads, a few hundred open streams would take every thread and leave the dashboard and
 * the rest of the API waiting behind them. So gateway calls get threads of their own, at most
 * {@code tenantry.gateway.max-calls}, on top of Tomcat's ({@code server.tomcat.threads.max},
 * which stay for everything else), and a call past that many is refused at once with 503 and
 * Retry-After, which OpenAI's SDKs retry, rather than queued behind calls that may take
 * minutes.
 *
 * <p>One organization takes at most {@code tenantry.gateway.max-calls-per-org} of those places
 * (half of them unless set): an org whose agents open streams by the thousand is refused
 * with 429 past its share, and the other orgs' agents still find places on the node. A share
 * is this node's: it divides a node's threads, as the most at once does, and an org's calls
 * across nodes are bounded by its rate limits.
 */
@Component
class GatewayCapacity implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    /** Far above what one node can serve; a typo of a few digits more is refused at start. */
    static final int MOST_CALLS = 20_000;

    private final int maxCalls;
    private final int otherThreads;
    private final Semaphore slots;
    /** Each org's calls in progress here. */
    private final OrgShares byOrg;

    GatewayCapacity(@Value("${tenantry.gateway.max-calls}") int maxCalls,
            @Value("${tenantry.gateway.max-calls-per-org:}") Integer maxCallsPerOrg,
            @Value("${server.tomcat.threads.max:200}") int otherThreads) {
        if (maxCalls < 1 || maxCalls > MOST_CALLS) {
            throw new IllegalStateException("TENANTRY_GATEWAY_MAX_CALLS must be between 1 and " + MOST_CALLS
                    + " (gateway calls in flight on this node); it is " + maxCalls + ".");
        }
        if (maxCallsPerOrg != null && (maxCallsPerOrg < 1 || maxCallsPerOrg > maxCalls)) {
            throw new IllegalStateException("TENANTRY_GATEWAY_MAX_CALLS_PER_ORG must be between 1 and "
                    + "TENANTRY_GATEWAY_MAX_CALLS (" + maxCalls + "): the most gateway calls one organization may "
                    + "have in flight on this node; it is " + maxCallsPerOrg + ".");
        }
        this.maxCalls = maxCalls;
        this.byOrg = new OrgShares(maxCallsPerOrg != null ? maxCallsPerOrg : Math.max(1, maxCalls / 2));
        this.otherThreads = otherThreads;
        this.slots = new Semaphore(maxCalls);
    }

    /**
     * A place for one call of {@code orgId}'s, released when the call ends; refused when the
     * org has its share of places, or every place is taken.
     */
    Slot take(UUID orgId) {
        if (!byOrg.take(orgId)) {
            throw new GatewayError(429, "rate_limit_error", "too_many_calls_in_progress", "This organization has "
                    + byOrg.most() + " gateway calls in progress on this node, the most one organization may have "
                    + "at once; send the call again when one has ended.", Duration.ofSeconds(1));
        }
        if (!slots.tryAcquire()) {
            byOrg.giveBack(orgId);
            throw new GatewayError(503, "api_error", "server_overloaded", "This gateway is serving its most calls "
                    + "at once (" + maxCalls + "); send the call again in a moment.", Duration.ofSeconds(1));
        }
        return () -> {
            slots.release();
            byOrg.giveBack(orgId);
        };
    }

    /** A call's place, given back when the call ends. */
    @FunctionalInterface
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** Runs after Spring Boot's own customizer, whose connector customizer sets Tomcat's threads from its property. */
    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
                protocol.setMaxThreads(otherThreads + maxCalls);
            }
        });
    }
}
