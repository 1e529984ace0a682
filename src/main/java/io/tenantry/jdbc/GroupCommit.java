package io.tenantry.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Function;

import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Work that arrives together, done together: what is waiting, up to a round's worth, is handed
 * to {@code round}, which does it in as few transactions as it can and answers each item
 * through a future of the item's own. Callers wait for their answer, so what they were told is
 * what committed. A caller that finds nothing waiting and a round free does its item itself,
 * on its own thread, without the two hand-offs to a writer thread and back that cost a call
 * more than its statements at one connection (docs/PERFORMANCE.md, the gateway); otherwise
 * its item waits for one of the writer threads, which gather what waits into rounds. The
 * writers run at the normal priority, above the request threads (web.RequestThreadPriority):
 * a round led by a request thread among a thousand others (open streams) waited for the
 * cores long enough to hold up every caller behind it.
 */
public final class GroupCommit<T> {

    private final BlockingQueue<T> queue = new ArrayBlockingQueue<>(10_000);
    private final Consumer<List<T>> round;
    private final Function<T, CompletableFuture<?>> answerOf;
    private final int maxPerRound;
    /** Rounds running at once, the writers' and the callers' own: each needs a database connection. */
    private final Semaphore rounds;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * {@code round} must answer every item it is given; {@code answerOf} gives an item's
     * answer, which is failed for any item a round left unanswered (a round that threw).
     */
    public GroupCommit(String name, int writers, int maxPerRound, Function<T, CompletableFuture<?>> answerOf,
            Consumer<List<T>> round) {
        this.round = round;
        this.answerOf = answerOf;
        this.maxPerRound = maxPerRound;
        this.rounds = new Semaphore(writers);
        for (int i = 0; i < writers; i++) {
            Thread thread = new Thread(this::write, name + "-" + i);
            thread.setDaemon(true);
            thread.start();
            this.writers.add(thread);
        }
    }

    /**
     * Does {@code item} in a round and returns its answer once given. A caller inside a
     * transaction of its own does its item alone, in that transaction as before: a round led
     * from there would put other callers' items in it.
     */
    public <R> R run(T item, CompletableFuture<R> answer) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            lead(List.of(item));
        } else if (queue.isEmpty() && rounds.tryAcquire()) {
            try {
                lead(List.of(item));
            } finally {
                rounds.release();
            }
        } else if (!running || !queue.offer(item)) {
            lead(List.of(item));
        } else if (!running && queue.remove(item)) {
            // Stopped as it was queued: the writers may be gone, so its caller does it.
            lead(List.of(item));
        }
        return await(answer);
    }

    private void write() {
        while (true) {
            List<T> items = new ArrayList<>();
            try {
                T first = running ? queue.take() : queue.poll();
                if (first == null) {
                    return;
                }
                items.add(first);
            } catch (InterruptedException stopping) {
                continue;
            }
            rounds.acquireUninterruptibly();
            try {
                queue.drainTo(items, maxPerRound - 1);
                lead(items);
            } catch (Error failed) {
                // The round's items carry it; the writer goes on, or the callers queued after would wait forever.
            } finally {
                rounds.release();
            }
        }
    }

    private void lead(List<T> items) {
        // Each item's answer carries what became of it, whoever did the round.
        try {
            round.accept(items);
        } catch (RuntimeException failed) {
            items.forEach(item -> answerOf.apply(item).completeExceptionally(failed));
        } catch (Error failed) {
            items.forEach(item -> answerOf.apply(item).completeExceptionally(failed));
            throw failed;
        } finally {
            items.forEach(item -> answerOf.apply(item).completeExceptionally(
                    new IllegalStateException("a round left an item unanswered")));
        }
    }

    /** Stops queueing: what is queued is still done, and from now on each caller does its own item. */
    public void stop() throws InterruptedException {
        running = false;
        for (Thread writer : writers) {
            writer.interrupt();
            writer.join(5_000);
        }
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
}
