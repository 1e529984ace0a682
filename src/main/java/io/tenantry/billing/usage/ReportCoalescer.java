package io.tenantry.billing.usage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.tenantry.jdbc.GroupCommit;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/**
 * Group commit for small usage reports. Agents report one event at a time, thousands per
 * second; a transaction each would spend the database on commits. Reports that arrive
 * together are stored in one transaction by a few writer threads (a report that finds none
 * waiting is stored by its caller), and each caller is answered only after that transaction
 * has committed, so an acknowledged event is as durable as before. If the shared transaction
 * fails (one report's event id reused with other content, say), each report of it is retried
 * alone, so one report's error is never another's.
 */
@Component
public class ReportCoalescer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ReportCoalescer.class);
    /** Reports of at most this many events are coalesced; bigger ones are a batch already. */
    static final int SMALL_REPORT = 10;
    private static final int MAX_REPORTS_PER_TRANSACTION = 200;

    private record Pending(UsageIngestion.Report report, CompletableFuture<UsageIngestion.Result> done) {
    }

    private final UsageIngestion ingestion;
    private final GroupCommit<Pending> rounds;

    ReportCoalescer(UsageIngestion ingestion, @Value("${tenantry.usage.writers}") int writerCount) {
        this.ingestion = ingestion;
        this.rounds = new GroupCommit<>("usage-writer", writerCount, MAX_REPORTS_PER_TRANSACTION, Pending::done,
                this::store);
    }

    /** Stores the report, together with others arriving at the same time; returns once committed. */
    public UsageIngestion.Result ingest(OrgCallContext context, List<UsageEvent> events) {
        return ingest(context, events, UsageIngestion.NOTHING_ALONGSIDE);
    }

    /** As {@link #ingest(OrgCallContext, List)}, with writes that commit with the report ({@link UsageIngestion}). */
    public UsageIngestion.Result ingest(OrgCallContext context, List<UsageEvent> events,
            Consumer<OrgScope> alongside) {
        Pending pending = new Pending(new UsageIngestion.Report(context, events, alongside),
                new CompletableFuture<>());
        if (events.size() > SMALL_REPORT) {
            return ingestion.ingest(context, events, alongside);
        }
        return rounds.run(pending, pending.done());
    }

    private void store(List<Pending> batch) {
        if (batch.size() > 1) {
            try {
                List<UsageIngestion.Result> results = ingestion.ingestTogether(batch.stream()
                        .map(Pending::report).toList());
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(results.get(i));
                }
                return;
            } catch (RuntimeException e) {
                log.debug("a shared usage transaction of {} reports failed; storing them one by one", batch.size(), e);
            }
        }
        for (Pending pending : batch) {
            try {
                UsageIngestion.Report report = pending.report();
                pending.done().complete(ingestion.ingest(report.context(), report.events(), report.alongside()));
            } catch (RuntimeException e) {
                pending.done().completeExceptionally(e);
            }
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        rounds.stop();
    }
}
