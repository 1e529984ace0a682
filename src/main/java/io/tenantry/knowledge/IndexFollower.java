package io.tenantry.knowledge;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.tenantry.jobs.ClusterJobs;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Keeps this node's {@link KnowledgeIndex} in step with the database. Every change of a
 * document is logged (knowledge_changes, numbered); this follower reads the log every half
 * second and re-indexes each changed document from what the database holds then, in that
 * document's org's scope. Re-indexing is idempotent, so reading a change twice costs only
 * time. Numbers are taken before commit, so a change may appear after a higher one: a gap
 * in the numbers is waited for (up to {@link #GAP_WAIT}) before the follower moves past it.
 *
 * <p>At start-up an index built for another epoch (another database, or before an owner
 * asked for a rebuild), of another format, or behind what the log still holds, is rebuilt
 * from the database; searches meanwhile see the index as it was.
 */
@Component
class IndexFollower implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(IndexFollower.class);

    /** Longer than a knowledge write takes from taking its number to committing. */
    static final Duration GAP_WAIT = Duration.ofSeconds(60);
    static final Duration POLL = Duration.ofMillis(500);
    private static final int BATCH = 1_000;
    private static final int REBUILD_BATCH = 200;

    /** How long the change log keeps a change: a node down longer rebuilds its index when it starts. */
    static final Duration KEPT = Duration.ofDays(7);

    private final KnowledgeIndex index;
    private final KnowledgeRepository knowledge;
    private final ScopedTransactions transactions;
    private final ClusterJobs jobs;
    /** Held by a round of the follower and by a rebuild: they own applied, seen and gaps. */
    private final ReentrantLock following = new ReentrantLock();
    /** Written by a rebuild, which clears the index; read by writers indexing one document. */
    private final ReentrantReadWriteLock clearing = new ReentrantReadWriteLock();
    /**
     * One document is indexed by one thread at a time, which reads the database while holding
     * it: whoever indexes a document last read it last, so an older read never overwrites a
     * newer one. Writers of different documents index in parallel.
     */
    private final ReentrantLock[] documents = new ReentrantLock[64];
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "knowledge-index");
        thread.setDaemon(true);
        return thread;
    });

    /** Every change numbered up to this is in the index. */
    private long applied;
    /** Changes above {@link #applied} already in the index. */
    private final Set<Long> seen = new HashSet<>();
    /**
     * Documents this node indexed right after changing them (indexNow), with the number of
     * that change: the database read then already held it, and every earlier change of the
     * document (they queue on its row lock), so the follower need not index them again.
     */
    private final Map<UUID, Long> indexedThrough = new ConcurrentHashMap<>();
    /** Numbers missing above {@link #applied}, and since when. */
    private final Map<Long, Instant> gaps = new HashMap<>();
    private UUID epoch;
    private final AtomicReference<Rebuild> rebuild = new AtomicReference<>(Rebuild.NONE);

    IndexFollower(KnowledgeIndex index, KnowledgeRepository knowledge, ScopedTransactions transactions,
            ClusterJobs jobs) {
        this.index = index;
        this.knowledge = knowledge;
        this.transactions = transactions;
        this.jobs = jobs;
        for (int i = 0; i < documents.length; i++) {
            documents[i] = new ReentrantLock();
        }
    }

    /** A rebuild of this node's index: how far it is. */
    record Rebuild(String state, long done, long total, Instant startedAt, Instant finishedAt) {
        static final Rebuild NONE = new Rebuild("idle", 0, 0, null, null);
    }

    Rebuild rebuild() {
        return rebuild.get();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        KnowledgeIndex.Committed committed = index.open();
        UUID current = transactions.read(OrgScope.none(), knowledge::epoch);
        long first = transactions.read(OrgScope.allOrgs(), () -> knowledge.firstChange(OrgScope.allOrgs()));
        boolean behind = first > committed.seq() + 1;
        if (!KnowledgeIndex.FORMAT.equals(committed.format()) || !current.equals(committed.epoch()) || behind) {
            worker.execute(() -> rebuildFor(current));
        } else {
            epoch = current;
            applied = committed.seq();
        }
        worker.scheduleWithFixedDelay(this::followSafely, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        worker.scheduleWithFixedDelay(this::purgeSafely, 1, 60, TimeUnit.MINUTES);
    }

    /** Once a day across the nodes, the change log forgets what every running node has long applied. */
    private void purgeSafely() {
        try {
            Instant now = Instant.now();
            jobs.runOnce("knowledge-change-purge", Duration.ofDays(1), now, () -> purge(now));
        } catch (RuntimeException e) {
            log.warn("the knowledge change log could not be purged; trying again later", e);
        }
    }

    int purge(Instant now) {
        return transactions.write(OrgScope.allOrgs(), () -> knowledge.purgeChanges(OrgScope.allOrgs(),
                now.minus(KEPT)));
    }

    /** Starts this node's rebuild for a new epoch at once; the other nodes see the epoch on their next round. */
    void rebuildNow(UUID epoch) {
        rebuild.set(new Rebuild("running", 0, 0, Instant.now(), null));
        worker.execute(() -> rebuildFor(epoch));
    }

    /**
     * Re-indexes one document now, on this node, after its change numbered {@code change} was
     * made here, so its author finds it at once; the follower then passes over that change.
     */
    void indexNow(UUID orgId, UUID documentId, long change) {
        // A round of the follower takes milliseconds; a rebuild may take minutes, and then the
        // change waits in the log for the follower: a write never waits for a rebuild.
        try {
            if (!clearing.readLock().tryLock(2, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            reindex(orgId, documentId);
            indexedThrough.merge(documentId, change, Math::max);
        } finally {
            clearing.readLock().unlock();
        }
    }

    private void followSafely() {
        try {
            follow();
        } catch (RuntimeException e) {
            log.warn("the knowledge index could not follow the change log; trying again", e);
        }
    }

    /** One round: a new epoch means a rebuild; else the changes logged since the last round. */
    void follow() {
        UUID current = transactions.read(OrgScope.none(), knowledge::epoch);
        if (epoch == null || !current.equals(epoch)) {
            if (!"running".equals(rebuild.get().state())) {
                rebuildFor(current);
            }
            return;
        }
        following.lock();
        try {
            List<KnowledgeRepository.Change> changes = transactions.read(OrgScope.allOrgs(),
                    () -> knowledge.changesAfter(OrgScope.allOrgs(), applied, BATCH));
            boolean changed = false;
            for (KnowledgeRepository.Change change : changes) {
                Long indexed = indexedThrough.get(change.documentId());
                if (seen.add(change.seq()) && (indexed == null || indexed < change.seq())) {
                    reindex(change.orgId(), change.documentId());
                    changed = true;
                }
            }
            long before = applied;
            advance(changes, Instant.now());
            indexedThrough.values().removeIf(change -> change <= applied);
            // Also this node's own writes that no search has asked to see yet: a reopen per
            // round keeps the searcher from falling behind the writer by more than a round.
            if (changed || index.behind()) {
                index.refresh();
            }
            if (changed || applied != before) {
                index.commit(epoch, applied);
            }
        } finally {
            following.unlock();
        }
    }

    /** Moves {@link #applied} past every number seen, and past gaps waited for long enough. */
    private void advance(List<KnowledgeRepository.Change> changes, Instant now) {
        long highest = changes.isEmpty() ? applied : changes.get(changes.size() - 1).seq();
        for (long n = applied + 1; n < highest; n++) {
            if (!seen.contains(n)) {
                gaps.putIfAbsent(n, now);
            }
        }
        while (true) {
            long next = applied + 1;
            Instant missingSince = gaps.get(next);
            if (seen.remove(next)) {
                applied = next;
            } else if (missingSince != null && missingSince.plus(GAP_WAIT).isBefore(now)) {
                gaps.remove(next);
                applied = next;
            } else {
                return;
            }
        }
    }

    /** Indexes the document as the database holds it now. */
    private void reindex(UUID orgId, UUID documentId) {
        ReentrantLock document = documents[Math.floorMod(documentId.hashCode(), documents.length)];
        document.lock();
        try {
            OrgScope scope = OrgScope.of(orgId);
            index.replace(orgId, documentId, transactions.read(scope, () -> knowledge.toIndex(scope, documentId)));
        } finally {
            document.unlock();
        }
    }

    /**
     * Rebuilds the index from the database for {@code target}, a batch of documents at a time.
     * The follower then starts from the changes logged a while before the rebuild began, so
     * that a change committed during the rebuild is applied even if it was read too early.
     */
    private void rebuildFor(UUID target) {
        // Asked twice for one epoch (by the node that set it, and by its own next round): built once.
        if (target.equals(epoch)) {
            return;
        }
        following.lock();
        clearing.writeLock().lock();
        try {
            Instant started = Instant.now();
            long from = transactions.read(OrgScope.allOrgs(),
                    () -> knowledge.lastChangeBefore(OrgScope.allOrgs(), started.minus(GAP_WAIT)));
            long total = transactions.read(OrgScope.allOrgs(), () -> knowledge.chunkCount(OrgScope.allOrgs()));
            rebuild.set(new Rebuild("running", 0, total, started, null));
            index.clear();
            indexedThrough.clear();
            long done = 0;
            UUID after = null;
            while (true) {
                UUID cursor = after;
                List<UUID> documents = transactions.read(OrgScope.allOrgs(),
                        () -> knowledge.documentsAfter(OrgScope.allOrgs(), cursor, REBUILD_BATCH));
                if (documents.isEmpty()) {
                    break;
                }
                List<KnowledgeRepository.Indexed> batch = transactions.read(OrgScope.allOrgs(),
                        () -> knowledge.toIndex(OrgScope.allOrgs(), documents));
                index.add(batch);
                done += batch.size();
                after = documents.get(documents.size() - 1);
                rebuild.set(new Rebuild("running", done, Math.max(total, done), started, null));
            }
            index.compact();
            index.commit(target, from);
            index.refresh();
            epoch = target;
            applied = from;
            seen.clear();
            gaps.clear();
            rebuild.set(new Rebuild("done", done, done, started, Instant.now()));
            log.info("rebuilt the knowledge index: {} chunks in {}", done, Duration.between(started, Instant.now()));
        } catch (RuntimeException e) {
            rebuild.set(new Rebuild("failed", rebuild.get().done(), rebuild.get().total(), rebuild.get().startedAt(),
                    Instant.now()));
            log.error("the knowledge index could not be rebuilt; the next round tries again", e);
            epoch = null;
        } finally {
            clearing.writeLock().unlock();
            following.unlock();
        }
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
    }
}
