package io.tenantry.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** Usage events, org-scoped like all tenant data (row-level security on PostgreSQL). */
@Repository
class UsageRepository {

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batch;

    UsageRepository(JdbcClient jdbc, NamedParameterJdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
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

    /** An event ready to store: the org it belongs to and its price, if it has one. */
    record Priced(UsageEvent event, UUID orgId, ModelPrice price, BigDecimal costUsd) {
    }

    /**
     * Stores the events in one batch, skipping any whose id this agent has used already;
     * answers, per event, whether it was stored.
     */
    boolean[] insertNew(java.util.List<Priced> events, Instant receivedAt) {
        SqlParameterSource[] rows = events.stream().map(priced -> new MapSqlParameterSource()
                .addValue("id", UUID.randomUUID()).addValue("orgId", priced.orgId())
                .addValue("agentId", priced.event().agentId()).addValue("eventId", priced.event().eventId())
                .addValue("model", priced.event().model()).addValue("input", priced.event().inputTokens())
                .addValue("output", priced.event().outputTokens())
                .addValue("cached", priced.event().cachedInputTokens())
                .addValue("occurredAt", Timestamps.of(priced.event().occurredAt()))
                .addValue("receivedAt", Timestamps.of(receivedAt))
                .addValue("priceId", priced.price() == null ? null : priced.price().id())
                .addValue("cost", priced.costUsd()).addValue("hash", priced.event().fingerprint()))
                .toArray(SqlParameterSource[]::new);
        int[] counts = batch.batchUpdate("""
                insert into usage_events (id, org_id, agent_id, event_id, model, input_tokens, output_tokens,
                                          cached_input_tokens, occurred_at, received_at, price_id, cost_usd, body_hash)
                values (:id, :orgId, :agentId, :eventId, :model, :input, :output, :cached, :occurredAt, :receivedAt,
                        :priceId, :cost, :hash)
                on conflict do nothing
                """, rows);
        boolean[] stored = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            stored[i] = counts[i] == 1;
        }
        return stored;
    }
}
