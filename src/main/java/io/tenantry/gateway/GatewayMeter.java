package io.tenantry.gateway;

import java.util.List;
import java.util.Optional;
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
            UsageEvent event = UsageEvent.at(call.agentId(), UsageEvent.SERVED_ID_PREFIX + call.id(), model,
                    call.inputTokens(), call.outputTokens(), call.cachedInputTokens(), call.startedAt())
                    .servedBy(call.orgId());
            OrgCallContext metering = metering(call, requestId);
            try {
                ingestion.ingest(metering, List.of(event), scope -> {
                    requests.insert(scope, call);
                    alongside.accept(scope);
                });
                return;
            } catch (RuntimeException e) {
                try {
                    if (afterTheSweep(call, model, metering, alongside)) {
                        return;
                    }
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
                // The tokens were spent upstream: whoever reads the log must be able to bill them by hand.
                log.error("Gateway call {} of agent {} (org {}) could not be metered: model {}, input {}, cached {}, "
                        + "output {} tokens at {}", call.id(), call.agentId(), call.orgId(), model,
                        call.inputTokens(), call.cachedInputTokens(), call.outputTokens(), call.startedAt(), e);
                throw e;
            }
        }
        OrgScope org = OrgScope.of(call.orgId());
        try {
            transactions.writeRelaxed(org, () -> {
                requests.insert(org, call);
                alongside.accept(org);
            });
        } catch (RuntimeException e) {
            // A call that used nothing (its node stalled before the upstream answered) the sweep may have billed.
            if (!afterTheSweep(call, billedModel(call.model(), call.upstreamModel()), metering(call, requestId),
                    alongside)) {
                throw e;
            }
        }
    }

    private static OrgCallContext metering(GatewayRequest call, String requestId) {
        return OrgCallContext.unattended(Actor.system("gateway"), false, OrgScope.allOrgs(), requestId,
                call.startedAt());
    }

    /**
     * Meters a call the lost-call sweep billed already, from the last note its node left:
     * the node stalled (a long pause, a suspended machine) rather than died, and came back to
     * finish it. What the call used beyond what the sweep billed is billed now, as a second
     * usage event ({@code gateway:<id>:after-sweep}), and the call's own line replaces the
     * sweep's, with the tokens billed in all. Answers false when the sweep did not bill the call.
     */
    private boolean afterTheSweep(GatewayRequest call, String model, OrgCallContext metering,
            Consumer<OrgScope> alongside) {
        OrgScope org = OrgScope.of(call.orgId());
        Optional<GatewayRequest> swept = transactions.read(org, () -> requests.sweptLine(org, call.id()));
        if (swept.isEmpty()) {
            return false;
        }
        GatewayRequest billed = swept.get();
        // The sweep counts a prompt as uncached input: what the prompt used beyond it is billed as
        // cached as far as the call's own count of cached tokens goes beyond the sweep's.
        long callPrompt = call.inputTokens() + call.cachedInputTokens();
        long billedPrompt = billed.inputTokens() + billed.cachedInputTokens();
        long prompt = Math.max(0, callPrompt - billedPrompt);
        long cached = Math.min(prompt, Math.max(0, call.cachedInputTokens() - billed.cachedInputTokens()));
        long input = prompt - cached;
        long output = Math.max(0, call.outputTokens() - billed.outputTokens());
        // Billed in all: the sweep's, and what is billed now. Where the sweep's estimate was the
        // larger, it stands (a bill is not taken back), and the line says it was estimated.
        GatewayRequest line = new GatewayRequest(call.id(), call.orgId(), call.agentId(), call.agentName(),
                call.endpoint(), call.model(), call.provider(), call.upstreamModel(), call.stream(), call.status(),
                call.httpStatus(), call.errorCode(), billed.inputTokens() + input,
                billed.cachedInputTokens() + cached, billed.outputTokens() + output,
                call.estimated() || billedPrompt > callPrompt || billed.outputTokens() > call.outputTokens(),
                call.byok(), call.attempts(), call.route(), call.latencyMs(), call.firstTokenMs(), call.startedAt(),
                call.inputDecision(), call.outputDecision(), call.prompt(), call.answer());
        log.warn("Gateway call {} of agent {} (org {}) was billed as lost while its node still served it (the node "
                + "stalled); billing the rest now: input {}, cached {}, output {} tokens", call.id(), call.agentId(),
                call.orgId(), input, cached, output);
        if (input + cached + output == 0) {
            transactions.write(org, () -> {
                requests.replaceSwept(org, line);
                alongside.accept(org);
            });
            return true;
        }
        UsageEvent rest = UsageEvent.at(call.agentId(), UsageEvent.SERVED_ID_PREFIX + call.id() + ":after-sweep",
                model, input, output, cached, call.startedAt()).servedBy(call.orgId());
        ingestion.ingest(metering, List.of(rest), scope -> {
            requests.replaceSwept(scope, line);
            alongside.accept(scope);
        });
        return true;
    }
}
