package io.tenantry.billing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentService;
import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Stores usage reports: all events of a report or none, each once per agent and event id,
 * each stamped with the org that held the agent when it happened and priced with the
 * price in force then. An acknowledged report is committed before the answer is sent.
 */
@Service
public class UsageIngestion {

    /** What a report came to: a receipt per event, and how many were new. */
    public record Result(List<UsageReceipt> events, int stored, int duplicates) {
    }

    private final UsageRepository usage;
    private final AgentService agents;
    private final ModelPrices prices;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    UsageIngestion(UsageRepository usage, AgentService agents, ModelPrices prices, ScopedTransactions transactions,
            AuditLog audit) {
        this.usage = usage;
        this.agents = agents;
        this.prices = prices;
        this.transactions = transactions;
        this.audit = audit;
    }

    /**
     * Runs in the scope of all orgs on purpose: an event belongs to the org that held the
     * agent when it happened, which may not be the reporting agent's org today. The org
     * comes from the assignment history, never from the report.
     */
    Result ingest(OrgCallContext context, List<UsageEvent> events) {
        OrgScope all = OrgScope.allOrgs();
        return transactions.write(all, () -> {
            List<UsageReceipt> receipts = new ArrayList<>(events.size());
            int stored = 0;
            for (int i = 0; i < events.size(); i++) {
                UsageEvent event = events.get(i);
                String at = events.size() == 1 ? "" : "events[" + i + "].";
                Optional<UsageRepository.Stored> earlier = usage.find(all, event.agentId(), event.eventId());
                if (earlier.isEmpty()) {
                    UUID org = orgOf(all, event, at);
                    Optional<ModelPrice> price = prices.priceAt(event.model(), event.occurredAt());
                    BigDecimal cost = price.map(p -> UsageCost.of(event, p)).orElse(null);
                    if (usage.insertIfNew(event, org, price.map(ModelPrice::id).orElse(null), cost, context.at())) {
                        stored++;
                        receipts.add(new UsageReceipt(event.eventId(), event.model(), event.inputTokens(),
                                event.outputTokens(), event.cachedInputTokens(), event.occurredAt(), cost != null,
                                cost));
                        continue;
                    }
                    earlier = usage.find(all, event.agentId(), event.eventId());
                }
                receipts.add(replay(earlier.orElseThrow(), event, at));
            }
            if (context.caller().operator() && stored > 0) {
                audit.record(context, DefaultOrg.ID, "usage.imported", "usage", null, null,
                        Map.of("events", events.size(), "stored", stored));
            }
            return new Result(receipts, stored, events.size() - stored);
        });
    }

    private UUID orgOf(OrgScope all, UsageEvent event, String at) {
        return agents.orgAt(all, event.agentId(), event.occurredAt()).orElseThrow(() -> ApiException.notFound(
                "The agent of " + (at.isEmpty() ? "this event" : at.substring(0, at.length() - 1))));
    }

    /** A retry is answered as the first time; the same id with other content is a conflict. */
    private static UsageReceipt replay(UsageRepository.Stored earlier, UsageEvent event, String at) {
        if (!earlier.fingerprint().equals(event.fingerprint())) {
            throw ApiException.conflict(at + "eventId", at + "eventId '" + event.eventId()
                    + "' was already reported with different content.");
        }
        return earlier.receipt();
    }
}
