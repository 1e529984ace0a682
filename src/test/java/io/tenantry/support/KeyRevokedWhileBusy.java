package io.tenantry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Sixteen callers keep one agent key (or another credential) busy while an owner revokes it: each makes up to 400
 * calls, and stops at its first 401 begun after the revocation was acknowledged. What the
 * test asserts is the outcome: how many calls were accepted, how many of those had begun
 * after the revocation (none should), and every answer that was neither accepted nor a 401.
 */
public final class KeyRevokedWhileBusy {

    public record Outcome(long accepted, long acceptedAfterRevoking, List<String> unexpected) {
    }

    private KeyRevokedWhileBusy() {
    }

    public static Outcome run(Api api, String owner, String agentId, String keyId, int acceptedStatus,
            Supplier<Api.Response> call) throws Exception {
        return run(() -> api.delete("/api/agents/" + agentId + "/keys/" + keyId).as(owner).send().expect(204),
                acceptedStatus, call);
    }

    /** The same race with any credential: {@code revoke} ends it (a sign-out, say) and returns once acknowledged. */
    public static Outcome run(Runnable revoke, int acceptedStatus, Supplier<Api.Response> call) throws Exception {
        AtomicBoolean revoked = new AtomicBoolean();
        AtomicLong accepted = new AtomicLong();
        AtomicLong acceptedAfterRevoking = new AtomicLong();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        CountDownLatch running = new CountDownLatch(16);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> callers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            callers.add(pool.submit(() -> {
                running.countDown();
                for (int n = 0; n < 400; n++) {
                    boolean begunAfter = revoked.get();
                    Api.Response answer = call.get();
                    if (answer.status() == acceptedStatus) {
                        accepted.incrementAndGet();
                        if (begunAfter) {
                            acceptedAfterRevoking.incrementAndGet();
                        }
                    } else if (answer.status() == 401) {
                        if (begunAfter) {
                            return;
                        }
                    } else {
                        unexpected.add(answer.toString());
                    }
                }
            }));
        }
        running.await();
        Thread.sleep(300);
        revoke.run();
        revoked.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        for (Future<?> caller : callers) {
            caller.get();
        }
        return new Outcome(accepted.get(), acceptedAfterRevoking.get(), List.copyOf(unexpected));
    }
}
