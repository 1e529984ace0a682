package io.tenantry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Rounds: every item answered once with its own answer, rounds at most as many at once as
 * allowed (the writers' and the callers' own), a lone caller served on its own thread, a
 * failing round failing only its own items, and a caller inside a transaction kept out of
 * other callers' rounds.
 */
class GroupCommitTest {

    record Item(int n, CompletableFuture<Integer> answer) {
        Item(int n) {
            this(n, new CompletableFuture<>());
        }
    }

    static GroupCommit<Item> rounds(int leaders, Consumer<List<Item>> round) {
        return new GroupCommit<>("test-writer", leaders, 50, Item::answer, round);
    }

    @Test
    void aLoneCallersRoundRunsOnItsOwnThread() {
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        GroupCommit<Item> rounds = rounds(2, items -> {
            ranOn.add(Thread.currentThread());
            items.forEach(item -> item.answer().complete(item.n() * 10));
        });
        Item item = new Item(4);
        assertThat(rounds.run(item, item.answer())).isEqualTo(40);
        assertThat(ranOn).containsExactly(Thread.currentThread());
    }

    @Test
    void concurrentCallersEachGetTheirOwnAnswerOnceInRoundsThatGather() throws Exception {
        int leaders = 2;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        List<Integer> roundSizes = new CopyOnWriteArrayList<>();
        GroupCommit<Item> rounds = rounds(leaders, items -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            roundSizes.add(items.size());
            for (Item item : items) {
                assertThat(done.add(item.n())).as("item %d done once", item.n()).isTrue();
                item.answer().complete(item.n() * 10);
            }
            running.decrementAndGet();
        });
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int caller = 0; caller < 16; caller++) {
                int first = caller * 100;
                answers.add(callers.submit(() -> {
                    for (int n = first; n < first + 100; n++) {
                        Item item = new Item(n);
                        if (rounds.run(item, item.answer()) != n * 10) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> answer : answers) {
                assertThat(answer.get(60, TimeUnit.SECONDS)).as("every caller got its own answers").isTrue();
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(done).hasSize(1600);
        assertThat(mostAtOnce.get()).as("rounds at once").isBetween(1, leaders);
        assertThat(roundSizes.stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("callers waiting while rounds ran were gathered into one").isGreaterThan(1);
    }

    @Test
    void aRoundThatFailsFailsItsOwnItemsAndTheNextRoundServes() {
        AtomicInteger calls = new AtomicInteger();
        GroupCommit<Item> rounds = rounds(1, items -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalArgumentException("this round failed");
            }
            items.forEach(item -> item.answer().complete(item.n()));
        });
        Item first = new Item(1);
        assertThatThrownBy(() -> rounds.run(first, first.answer())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("this round failed");
        Item second = new Item(2);
        assertThat(rounds.run(second, second.answer())).isEqualTo(2);
    }

    @Test
    void anItemARoundLeftUnansweredFailsRatherThanWaitsForever() {
        GroupCommit<Item> rounds = rounds(1, items -> { });
        Item item = new Item(1);
        assertThatThrownBy(() -> rounds.run(item, item.answer())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unanswered");
    }

    @Test
    void aCallerInsideATransactionIsDoneAloneInItNotQueuedForOthersRounds() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<List<Integer>> seen = new CopyOnWriteArrayList<>();
        GroupCommit<Item> rounds = rounds(1, items -> {
            seen.add(items.stream().map(Item::n).toList());
            if (items.get(0).n() == 1) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            items.forEach(item -> item.answer().complete(item.n()));
        });
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Item blocking = new Item(1);
            Future<Integer> first = other.submit(() -> rounds.run(blocking, blocking.answer()));
            while (seen.isEmpty()) {
                Thread.sleep(1);
            }
            // The only round allowed is running; a queued item would wait for it.
            TransactionSynchronizationManager.initSynchronization();
            try {
                Item item = new Item(7);
                assertThat(rounds.run(item, item.answer())).isEqualTo(7);
            } finally {
                TransactionSynchronizationManager.clearSynchronization();
            }
            assertThat(first.isDone()).as("done while the other round still ran").isFalse();
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            release.countDown();
            other.shutdownNow();
        }
        assertThat(seen).containsExactly(List.of(1), List.of(7));
    }
}
