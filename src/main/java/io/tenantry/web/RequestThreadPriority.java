package io.tenantry.web;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Request threads run at the lowest Java priority. With the JVM's default thread priority
 * policy that changes nothing; launched as the README says ({@code -XX:ThreadPriorityPolicy=1})
 * it makes them nice 4 on Linux, which any user may do. On a busy server the threads that
 * serve everyone then come first, the JIT compiler above all: a fresh server under load reached
 * 90 % of its settled rate in about 110 s instead of 140 s, and in 50 s when the compiler's
 * priority was raised too (docs/PERFORMANCE.md, "Warm-up").
 */
@Component
class RequestThreadPriority implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> connector.setProperty("threadPriority",
                Integer.toString(Thread.MIN_PRIORITY)));
    }
}
