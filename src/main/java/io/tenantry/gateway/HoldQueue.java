package io.tenantry.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * Budget holds decided together. Every hold of an org takes the org's lock, so its calls
 * hold one after the other; decided one transaction each, an org's calls could go no faster
 * than one lock round after another. Asks that arrive together are taken by a few holder
 * threads and decided in one transaction per org (one lock, one read of what is held and
 * spent, then each ask in arrival order, counting those before it), and each caller is
 * answered once that transaction has committed.
 */
final class HoldQueue<A extends HoldQueue.Ask> {

    /** One call's ask, answered with its hold (none when nothing needed holding) or its refusal. */
    abstract static class Ask {
        final CompletableFuture<BudgetHolds.Hold> answer = new CompletableFuture<>();

        abstract UUID orgId();
    }

    private static final int MAX_ASKS_PER_ROUND = 200;

    private final BlockingQueue<A> queue = new ArrayBlockingQueue<>(10_000);
    private final BiConsumer<UUID, List<A>> decide;
    private final List<Thread> holders = new ArrayList<>();
    private volatile boolean running = true;

    /** {@code decide} answers every ask of the list, all of one org, in one transaction. */
    HoldQueue(BiConsumer<UUID, List<A>> decide, int holderCount) {
        this.decide = decide;
        for (int i = 0; i < holderCount; i++) {
            Thread holder = new Thread(this::hold, "budget-holder-" + i);
            holder.setDaemon(true);
            holder.start();
            holders.add(holder);
        }
    }

    /** The ask's hold, null when none was needed, once decided and committed; throws its refusal. */
    BudgetHolds.Hold decide(A ask) {
        if (!running || !queue.offer(ask)) {
            decideAll(List.of(ask));
        }
        try {
            return ask.answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void hold() {
        while (running || !queue.isEmpty()) {
            List<A> round = new ArrayList<>();
            try {
                round.add(queue.take());
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
                continue;
            }
            queue.drainTo(round, MAX_ASKS_PER_ROUND - 1);
            decideAll(round);
        }
    }

    private void decideAll(List<A> round) {
        Map<UUID, List<A>> byOrg = new LinkedHashMap<>();
        for (A ask : round) {
            byOrg.computeIfAbsent(ask.orgId(), org -> new ArrayList<>()).add(ask);
        }
        byOrg.forEach((orgId, asks) -> {
            try {
                decide.accept(orgId, asks);
            } catch (RuntimeException failed) {
                asks.forEach(ask -> ask.answer.completeExceptionally(failed));
            }
        });
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread holder : holders) {
            holder.interrupt();
            holder.join(5_000);
        }
    }
}
