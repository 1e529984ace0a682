package io.tenantry.gateway;

import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.tenantry.billing.usage.UsageEvent;
import io.tenantry.billing.usage.ReportCoalescer;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Records a finished call: its tokens as a usage event through the same ingestion as every
 * report (the same prices, rollups and statements; event id {@code gateway:<request id>}, so
 * a call is billed once whatever happens; committed with other calls' and reports' events
 * arriving at the same time, and stored before this returns), then its line in the org's
 * request log. The
 * usage is the gateway's own measurement, not the agent's word: it is stored even if the
 * agent was paused or its key revoked while the call ran, since the tokens were spent.
 */
@Component
class GatewayMeter {

    private static final Logger log = LoggerFactory.getLogger(GatewayMeter.class);

    private final ReportCoalescer ingestion;
    private final RequestLog requests;
    private final ScopedTransactions transactions;

    GatewayMeter(ReportCoalescer ingestion, RequestLog requests, ScopedTransactions transactions) {
        this.ingestion = ingestion;
        this.requests = requests;
        this.transactions = transactions;
    }

    /**
     * The model a call's usage is billed (and priced) as: the upstream's name for it, where
     * that is a name usage may carry, else the name the agent asked for.
     */
    static String billedModel(String model, String upstreamModel) {
        return upstreamModel != null && Routes.MODEL.matcher(upstreamModel).matches() ? upstreamModel : model;
    }

    /**
     * Stores the usage, the request log line and {@code alongside} (the call's hold released,
     * its rate counts settled) in one transaction, committed with other calls' and reports'
     * (durably, as every report): the hold ends exactly when the usage that replaces it
     * counts. A call without usage writes its log line and {@code alongside} in one relaxed
     * transaction: a log line lost in a crash is not a lost bill.
     */
    void record(GatewayRequest call, String requestId, Consumer<OrgScope> alongside) {
        if (call.totalTokens() > 0) {
            String model = billedModel(call.model(), call.upstreamModel());
            UsageEvent event = UsageEvent.at(call.agentId(), "gateway:" + call.id(), model, call.inputTokens(),
                    call.outputTokens(), call.cachedInputTokens(), call.startedAt()).servedBy(call.orgId());
            OrgCallContext metering = OrgCallContext.unattended(Actor.system("gateway"), false, OrgScope.allOrgs(),
                    requestId, call.startedAt());
            try {
                ingestion.ingest(metering, List.of(event), scope -> {
                    requests.insert(scope, call);
                    alongside.accept(scope);
                });
                return;
            } catch (RuntimeException e) {
                // The tokens were spent upstream: whoever reads the log must be able to bill them by hand.
                log.error("Gateway call {} of agent {} (org {}) could not be metered: model {}, input {}, cached {}, "
                        + "output {} tokens at {}", call.id(), call.agentId(), call.orgId(), model,
                        call.inputTokens(), call.cachedInputTokens(), call.outputTokens(), call.startedAt(), e);
                throw e;
            }
        }
        OrgScope org = OrgScope.of(call.orgId());
        transactions.writeRelaxed(org, () -> {
            requests.insert(org, call);
            alongside.accept(org);
        });
    }
}
