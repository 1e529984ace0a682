package io.tenantry.vault;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Re-wraps every org's data key under a new master key; the credentials' values are not
 * touched (they are sealed under the data keys, which do not change). Resumable: each batch
 * commits on its own, what is left is whatever is still wrapped under an earlier key, and
 * the earlier key stays held (the file keeps it; TENANTRY_PREVIOUS_MASTER_KEYS must) until
 * nothing is left, so a restart in the middle opens every key and a new request continues.
 */
@Service
class MasterKeyRotation implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(MasterKeyRotation.class);
    private static final int BATCH = 100;

    private final MasterKeys masters;
    private final DataKeys dataKeys;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "master-key-rotation");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicReference<Run> last = new AtomicReference<>();

    MasterKeyRotation(MasterKeys masters, DataKeys dataKeys, ScopedTransactions transactions, AuditLog audit) {
        this.masters = masters;
        this.dataKeys = dataKeys;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** The latest rotation run on this node, if any. */
    private record Run(String state, long done, long total, Instant startedAt, Instant finishedAt) {
    }

    /** Where the rotation stands: this node's run, and what the database says is left. */
    MasterKeyProgress progress(OrgCallContext context) {
        requireOwner(context);
        DataKeys.Progress stored = dataKeys.progress();
        Run run = last.get();
        String state = run != null && run.state().equals("running") ? "running"
                : stored.left() > 0 ? "incomplete" : run == null ? "idle" : run.state();
        return new MasterKeyProgress(state, stored.total() - stored.left(), stored.total(), masters.current().keyId(),
                masters.fromSetting() ? "setting" : "file", run == null ? null : run.startedAt(),
                run == null ? null : run.finishedAt());
    }

    /**
     * Starts (or resumes) a rotation. With the key file, a new master key is made when every
     * data key is already under the current one; with TENANTRY_MASTER_KEY, the new key is the
     * setting and the earlier one must be given in TENANTRY_PREVIOUS_MASTER_KEYS.
     */
    synchronized MasterKeyProgress start(OrgCallContext context) {
        requireOwner(context);
        Run running = last.get();
        if (running != null && running.state().equals("running")) {
            throw ApiException.conflict("A master key rotation is running; follow it at GET "
                    + "/api/credentials/rotate-master-key.");
        }
        DataKeys.Progress before = dataKeys.progress();
        if (before.left() == 0) {
            if (masters.fromSetting()) {
                throw ApiException.conflict("Every data key is wrapped under the current master key ("
                        + masters.current().keyId() + "). To rotate it: set TENANTRY_MASTER_KEY to a new key and "
                        + "TENANTRY_PREVIOUS_MASTER_KEYS to the current one, restart, and ask again.");
            }
            masters.rotateFile();
        }
        OrgCallContext inReach = context.within(context.reach());
        String keyId = masters.current().keyId();
        transactions.write(inReach.scope(), () -> audit.recordPlatform(inReach, "vault.master_key.rotation_started",
                "master_key", keyId, null, Map.of("dataKeys", before.total())));
        Instant started = Instant.now();
        last.set(new Run("running", before.total() - dataKeys.progress().left(), before.total(), started, null));
        worker.execute(() -> rewrapAll(inReach, started));
        return progress(context);
    }

    private void rewrapAll(OrgCallContext context, Instant started) {
        try {
            while (dataKeys.rewrapBatch(BATCH, Instant.now()) > 0) {
                DataKeys.Progress now = dataKeys.progress();
                last.set(new Run("running", now.total() - now.left(), now.total(), started, null));
            }
            masters.forgetEarlierInFile();
            DataKeys.Progress done = dataKeys.progress();
            String keyId = masters.current().keyId();
            transactions.write(context.scope(), () -> audit.recordPlatform(context,
                    "vault.master_key.rotation_finished", "master_key", keyId, null,
                    Map.of("dataKeys", done.total())));
            last.set(new Run("done", done.total(), done.total(), started, Instant.now()));
            log.info("re-wrapped {} data keys under master key {}", done.total(), keyId);
        } catch (RuntimeException e) {
            Run run = last.get();
            last.set(new Run("failed", run.done(), run.total(), started, Instant.now()));
            log.error("the master key rotation stopped; ask again to resume it", e);
        }
    }

    private static void requireOwner(OrgCallContext context) {
        if (!context.caller().owner()) {
            throw ApiException.forbidden("Only owners may rotate the master key.");
        }
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
    }
}
