package io.tenantry.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** Usage events, org-scoped like all tenant data (row-level security on PostgreSQL). */
@Repository
class UsageRepository {

    private final JdbcClient jdbc;

    UsageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Stored(UsageReceipt receipt, String fingerprint) {
    }

    Optional<Stored> find(OrgScope scope, UUID agentId, String eventId) {
        return jdbc.sql("select * from usage_events where agent_id = :agentId and event_id = :eventId and "
                + scope.sql("org_id"))
                .param("agentId", agentId).param("eventId", eventId).params(scope.parameters())
                .query((rs, row) -> new Stored(new UsageReceipt(rs.getString("event_id"), rs.getString("model"),
                        rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
                        Timestamps.read(rs, "occurred_at"), rs.getBigDecimal("cost_usd") != null,
                        rs.getBigDecimal("cost_usd")), rs.getString("body_hash")))
                .optional();
    }

    /**
     * Prices the still unpriced events of {@code model} that happened in [from, to) with
     * {@code price}, by the same rule as {@link UsageCost}; answers how many it priced.
     */
    int priceUnpriced(OrgScope scope, String model, Instant from, Instant to, ModelPrice price) {
        BigDecimal cached = price.cachedInputPricePerMillion() != null ? price.cachedInputPricePerMillion()
                : price.inputPricePerMillion();
        return jdbc.sql("""
                update usage_events
                   set price_id = :priceId,
                       cost_usd = (input_tokens * :input + cached_input_tokens * :cached + output_tokens * :output)
                                  * 0.000001
                 where model = :model and cost_usd is null and occurred_at >= :from and occurred_at < :to and """
                + " " + scope.sql("org_id"))
                .param("priceId", price.id()).param("input", price.inputPricePerMillion()).param("cached", cached)
                .param("output", price.outputPricePerMillion()).param("model", model)
                .param("from", Timestamps.of(from)).param("to", Timestamps.of(to)).params(scope.parameters())
                .update();
    }

    /** Stores the event unless one with its id exists already; answers whether it stored it. */
    boolean insertIfNew(UsageEvent event, UUID orgId, UUID priceId, BigDecimal costUsd, Instant receivedAt) {
        return jdbc.sql("""
                insert into usage_events (id, org_id, agent_id, event_id, model, input_tokens, output_tokens,
                                          cached_input_tokens, occurred_at, received_at, price_id, cost_usd, body_hash)
                values (:id, :orgId, :agentId, :eventId, :model, :input, :output, :cached, :occurredAt, :receivedAt,
                        :priceId, :cost, :hash)
                on conflict do nothing
                """)
                .param("id", UUID.randomUUID()).param("orgId", orgId).param("agentId", event.agentId())
                .param("eventId", event.eventId()).param("model", event.model())
                .param("input", event.inputTokens()).param("output", event.outputTokens())
                .param("cached", event.cachedInputTokens()).param("occurredAt", Timestamps.of(event.occurredAt()))
                .param("receivedAt", Timestamps.of(receivedAt)).param("priceId", priceId).param("cost", costUsd)
                .param("hash", event.fingerprint())
                .update() == 1;
    }
}
