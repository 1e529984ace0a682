package io.tenantry.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Work that arrives together, done together: what is waiting, up to a round's worth, is handed
 * to {@code round}, which does it in as few transactions as it can and answers each item
 * through a future of the item's own. Callers wait for their answer, so what they were told is
 * what committed. The callers themselves do the rounds (leader and followers): a caller whose
 * item is still waiting leads the next round when fewer than {@code leaders} rounds are
 * running, else waits for one to end. A caller alone does its own round on its own thread,
 * without the two hand-offs to a writer thread and back that cost a call more than its
 * statements at one connection (docs/PERFORMANCE.md, the gateway); under load, items still
 * gather into rounds while the running ones commit.
 */
public final class GroupCommit<T> {

    /** A follower's longest sleep between looks, should a wake-up be missed: a safety net, not a pace. */
    private static final long LOOK_AGAIN_NANOS = 20_000_000;

    /** A queued item and the caller waiting for it, whom the round's leader wakes once it is answered. */
    private record Waiting<T>(T item, Thread caller) {
    }

    private final BlockingQueue<Waiting<T>> queue = new ArrayBlockingQueue<>(10_000);
    private final Consumer<List<T>> round;
    private final Function<T, CompletableFuture<?>> answerOf;
    private final int maxPerRound;
    private final Semaphore leading;

    /**
     * {@code round} must answer every item it is given; {@code answerOf} gives an item's
     * answer, which is failed for any item a round left unanswered (a round that threw).
     */
    public GroupCommit(int leaders, int maxPerRound, Function<T, CompletableFuture<?>> answerOf,
            Consumer<List<T>> round) {
        this.round = round;
        this.answerOf = answerOf;
        this.maxPerRound = maxPerRound;
        this.leading = new Semaphore(leaders);
    }

    /**
     * Does {@code item} in a round, with others waiting at the time, and returns its answer
     * once given. A caller inside a transaction of its own does its item alone, in that
     * transaction as before: a round led from there would put other callers' items in it.
     * Each waiting caller is woken once, when its item is answered or when it may lead the next
     * round: waking every waiter at each round's end cost more CPU than the rounds saved.
     */
    public <R> R run(T item, CompletableFuture<R> answer) {
        if (TransactionSynchronizationManager.isSynchronizationActive()
                || !queue.offer(new Waiting<>(item, Thread.currentThread()))) {
            lead(List.of(item));
            return await(answer);
        }
        boolean interrupted = false;
        while (!answer.isDone()) {
            if (leading.tryAcquire()) {
                List<Waiting<T>> taken = new ArrayList<>();
                try {
                    queue.drainTo(taken, maxPerRound);
                    if (!taken.isEmpty()) {
                        lead(taken.stream().map(Waiting::item).toList());
                    }
                } finally {
                    leading.release();
                }
                for (Waiting<T> waiting : taken) {
                    LockSupport.unpark(waiting.caller());
                }
                // What arrived during the round is led by the first of its callers.
                Waiting<T> next = queue.peek();
                if (next != null) {
                    LockSupport.unpark(next.caller());
                }
            } else {
                // An unpark that came before this park makes it return at once: no wake-up is lost.
                LockSupport.parkNanos(this, LOOK_AGAIN_NANOS);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return await(answer);
    }

    private void lead(List<T> items) {
        // Each item's answer carries what became of it: the leader's own may not even be among these.
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
