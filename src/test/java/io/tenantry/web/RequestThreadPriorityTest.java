package io.tenantry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * The threads that serve requests yield to the JIT compiler and the background writers on a
 * busy machine (RequestThreadPriority): they run at the lowest Java priority.
 */
@TenantryTest
class RequestThreadPriorityTest extends ServerTest {

    @Test
    void requestThreadsRunAtTheLowestPriority() {
        api.get("/actuator/health").send().expect(200);

        // Tomcat names them http-nio-<port or "auto-N">-exec-<n>; every server in this JVM is ours.
        List<Thread> requestThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("http-nio-") && thread.getName().contains("-exec-"))
                .toList();
        assertThat(requestThreads).as("the request threads").isNotEmpty()
                .allSatisfy(thread -> assertThat(thread.getPriority()).isEqualTo(Thread.MIN_PRIORITY));
        List<Thread> usageWriters = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("usage-writer-")).toList();
        assertThat(usageWriters).as("the usage writers, which serve every request, keep the normal priority")
                .isNotEmpty().allSatisfy(thread -> assertThat(thread.getPriority()).isEqualTo(Thread.NORM_PRIORITY));
    }
}
