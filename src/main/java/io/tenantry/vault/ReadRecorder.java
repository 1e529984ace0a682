package io.tenantry.vault;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Group commit for the record of agents' credential reads. Agents read credentials at every
 * start and often between; a transaction each would spend the database on commits. Reads
 * that arrive together are recorded (in the credential's read history and the audit log) in
 * one transaction by a few writer threads, and each agent gets its value only after that
 * transaction has committed: no value is given whose read is not on the record. If the
 * shared transaction fails, each read of it is recorded alone, so one read's failure is
 * never another's.
 */
@Component
class ReadRecorder implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ReadRecorder.class);
    private static final int MAX_READS_PER_TRANSACTION = 200;

    /** A read to record: by whom (the agent's call), in which org, of what. */
    record Read(OrgCallContext context, UUID orgId, CredentialRepository.Read read, String name) {
    }

    private record Pending(Read read, CompletableFuture<Void> done) {
    }

    private final CredentialRepository credentials;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    ReadRecorder(CredentialRepository credentials, ScopedTransactions transactions, AuditLog audit,
            @Value("${tenantry.vault.read-writers}") int writerCount) {
        this.credentials = credentials;
        this.transactions = transactions;
        this.audit = audit;
        for (int i = 0; i < writerCount; i++) {
            Thread writer = new Thread(this::write, "credential-read-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /** Records the read, together with others arriving at the same time; returns once committed. */
    void record(Read read) {
        Pending pending = new Pending(read, new CompletableFuture<>());
        if (!running || !queue.offer(pending)) {
            storeAlone(read);
            return;
        }
        try {
            pending.done().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void write() {
        while (running || !queue.isEmpty()) {
            List<Pending> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
                continue;
            }
            queue.drainTo(batch, MAX_READS_PER_TRANSACTION - 1);
            store(batch);
        }
    }

    private void store(List<Pending> batch) {
        if (batch.size() > 1) {
            try {
                storeTogether(batch.stream().map(Pending::read).toList());
                batch.forEach(p -> p.done().complete(null));
                return;
            } catch (RuntimeException e) {
                log.debug("a shared transaction of {} credential reads failed; recording them one by one",
                        batch.size(), e);
            }
        }
        for (Pending pending : batch) {
            try {
                storeAlone(pending.read());
                pending.done().complete(null);
            } catch (RuntimeException e) {
                pending.done().completeExceptionally(e);
            }
        }
    }

    /** One transaction whose scope is the orgs of the reads; each read is written in its own org's. */
    private void storeTogether(List<Read> reads) {
        Set<UUID> orgs = new HashSet<>();
        reads.forEach(r -> orgs.add(r.orgId()));
        transactions.write(OrgScope.of(orgs), () -> reads.forEach(this::insert));
    }

    private void storeAlone(Read read) {
        transactions.write(OrgScope.of(read.orgId()), () -> insert(read));
    }

    private void insert(Read read) {
        credentials.recordRead(read.context().scope(), read.orgId(), read.read());
        audit.record(read.context(), read.orgId(), "credential.read", "credential", read.read().credentialId(), null,
                Map.of("name", read.name(), "version", read.read().version(), "agentId", read.read().agentId()));
    }

    @Override
    public void destroy() throws InterruptedException {
        running = false;
        for (Thread writer : writers) {
            writer.interrupt();
            writer.join(5_000);
        }
    }
}
