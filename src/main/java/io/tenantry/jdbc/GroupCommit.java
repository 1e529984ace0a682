package io.tenantry.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Work that arrives together, done together: a few threads take what is waiting, up to a
 * round's worth, and hand it to {@code round}, which does it in as few transactions as it
 * can and answers each item (through a future of the item's own). Callers wait for their
 * answer, so what they were told is what committed. When the queue is full or stopping,
 * {@link #offer} refuses and the caller does its work alone.
 */
public final class GroupCommit<T> {

    private final BlockingQueue<T> queue = new ArrayBlockingQueue<>(10_000);
    private final Consumer<List<T>> round;
    private final int maxPerRound;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    public GroupCommit(String name, int threadCount, int maxPerRound, Consumer<List<T>> round) {
        this.round = round;
        this.maxPerRound = maxPerRound;
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::work, name + "-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    /** Queues the item for a round; false when it was not queued. */
    public boolean offer(T item) {
        return running && queue.offer(item);
    }

    /** The answer of a future a round completes, with the round's own exception when it failed. */
    public static <R> R await(CompletableFuture<R> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void work() {
        while (running || !queue.isEmpty()) {
            List<T> items = new ArrayList<>();
            try {
                items.add(queue.take());
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
                continue;
            }
            queue.drainTo(items, maxPerRound - 1);
            round.accept(items);
        }
    }

    /** Stops taking new items; what is queued is still done. */
    public void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
