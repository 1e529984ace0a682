package io.tenantry.billing.usage;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.billing.pricing.ModelPrice;
import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** Usage events, org-scoped like all tenant data (row-level security on PostgreSQL). */
@Repository
class UsageRepository {

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batch;

    private final String usageMonth;

    UsageRepository(JdbcClient jdbc, NamedParameterJdbcTemplate batch, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.batch = batch;
        // The UTC month of occurred_at; H2 keeps the UTC offset the value was written with.
        this.usageMonth = vendor == DatabaseVendor.POSTGRESQL
                ? "date_trunc('month', occurred_at at time zone 'UTC')::date"
                : "cast(date_trunc('month', occurred_at) as date)";
    }

    record Stored(UsageReceipt receipt, String fingerprint) {
    }

    /**
     * The stored events with these events' ids, in one query however many there are (a
     * retried batch repeats up to 1,000), by {@link #key}.
     */
    Map<String, Stored> find(OrgScope scope, Collection<UsageEvent> events) {
        Map<String, Stored> found = new HashMap<>();
        if (events.isEmpty()) {
            return found;
        }
        jdbc.sql("select * from usage_events where agent_id in (:agentIds) and event_id in (:eventIds) and "
                + scope.sql("org_id"))
                .param("agentIds", events.stream().map(UsageEvent::agentId).collect(Collectors.toSet()))
                .param("eventIds", events.stream().map(UsageEvent::eventId).collect(Collectors.toSet()))
                .params(scope.parameters())
                .query(rs -> {
                    found.put(key(rs.getObject("agent_id", UUID.class), rs.getString("event_id")),
                            new Stored(new UsageReceipt(rs.getString("event_id"), rs.getString("model"),
                                    rs.getLong("input_tokens"), rs.getLong("output_tokens"),
                                    rs.getLong("cached_input_tokens"), Timestamps.read(rs, "occurred_at"),
                                    rs.getBigDecimal("cost_usd") != null, rs.getBigDecimal("cost_usd")),
                                    rs.getString("body_hash")));
                });
        return found;
    }

    static String key(UUID agentId, String eventId) {
        return agentId + "|" + eventId;
    }

    /**
     * Rerating leaves the usage of deleted orgs alone: their statements are closed, and an
     * adjustment in an open month would bill an org that no open month shows.
     */
    private static final String OF_EXISTING_ORG =
            "exists (select 1 from organizations o where o.id = usage_events.org_id)";

    /** How many events of {@code model} that happened in [from, to) are still unpriced. */
    long countUnpriced(OrgScope scope, String model, Instant from, Instant to) {
        return jdbc.sql("select count(*) from usage_events where model = :model and cost_usd is null"
                + " and occurred_at >= :from and occurred_at < :to and " + scope.sql("org_id"))
                .param("model", model).param("from", Timestamps.of(from)).param("to", Timestamps.of(to))
                .params(scope.parameters()).query(Long.class).single();
    }

    /** Unpriced usage of one model, summed per org, billed month, agent and usage month. */
    record Unpriced(UUID orgId, YearMonth billedMonth, UUID agentId, YearMonth usageMonth,
            long inputTokens, long outputTokens, long cachedInputTokens) {

        long tokens() {
            return inputTokens + outputTokens + cachedInputTokens;
        }
    }

    /** The still unpriced events of {@code model} that happened in [from, to), summed. */
    List<Unpriced> unpriced(OrgScope scope, String model, Instant from, Instant to) {
        return jdbc.sql("select org_id, billed_month, agent_id, " + usageMonth + " usage_month,"
                + " sum(input_tokens) input_tokens, sum(output_tokens) output_tokens,"
                + " sum(cached_input_tokens) cached_input_tokens from usage_events"
                + " where model = :model and cost_usd is null and occurred_at >= :from and occurred_at < :to and "
                + OF_EXISTING_ORG + " and " + scope.sql("org_id")
                + " group by org_id, billed_month, agent_id, " + usageMonth)
                .param("model", model).param("from", Timestamps.of(from)).param("to", Timestamps.of(to))
                .params(scope.parameters())
                .query((rs, row) -> new Unpriced(rs.getObject("org_id", UUID.class),
                        YearMonth.from(rs.getObject("billed_month", LocalDate.class)),
                        rs.getObject("agent_id", UUID.class),
                        YearMonth.from(rs.getObject("usage_month", LocalDate.class)),
                        rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens")))
                .list();
    }

    /**
     * Prices the still unpriced events of {@code model} that happened in [from, to) with
     * {@code price}, by the same rule as {@link UsageCost}; answers how many it priced. The
     * prices are cast to their columns' type: H2 gives a parameter the type of the column it
     * meets, and read 2.123456 times a token count as 2 times it.
     */
    int priceUnpriced(OrgScope scope, String model, Instant from, Instant to, ModelPrice price) {
        return jdbc.sql("""
                update usage_events
                   set price_id = :priceId,
                       cost_usd = (input_tokens * cast(:input as numeric(18, 6))
                                   + cached_input_tokens * cast(:cached as numeric(18, 6))
                                   + output_tokens * cast(:output as numeric(18, 6))) * 0.000001
                 where model = :model and cost_usd is null and occurred_at >= :from and occurred_at < :to and """
                + " " + OF_EXISTING_ORG + " and " + scope.sql("org_id"))
                .param("priceId", price.id()).param("input", price.inputPricePerMillion()).param("cached", price.chargedCachedInputPrice())
                .param("output", price.outputPricePerMillion()).param("model", model)
                .param("from", Timestamps.of(from)).param("to", Timestamps.of(to)).params(scope.parameters())
                .update();
    }

    /** An event ready to store: the org it belongs to and its price, if it has one. */
    record Priced(UsageEvent event, UUID orgId, YearMonth billedMonth, Instant receivedAt, ModelPrice price,
            BigDecimal costUsd) {
    }

    /**
     * Stores the events in one batch, skipping any whose id this agent has used already;
     * answers, per event, whether it was stored.
     */
    boolean[] insertNew(OrgScope scope, List<Priced> events) {
        events.forEach(priced -> scope.requireWritable(priced.orgId()));
        // Inserted in key order, so that two transactions storing some of the same events (a
        // retried batch in another order, on another node) wait for each other rather than
        // deadlock on the key's index.
        Integer[] order = new Integer[events.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing((Integer i) -> events.get(i).event().agentId())
                .thenComparing(i -> events.get(i).event().eventId()));
        // Parameters set by position and type: the named-parameter batch looked each of the
        // fourteen up by name and guessed its type, per row, 5 % of a usage report's CPU.
        int[] counts = batch.getJdbcTemplate().batchUpdate("""
                insert into usage_events (id, org_id, agent_id, event_id, model, input_tokens, output_tokens,
                                          cached_input_tokens, occurred_at, received_at, price_id, cost_usd, body_hash,
                                          billed_month)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict do nothing
                """, new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement row, int i) throws SQLException {
                        Priced priced = events.get(order[i]);
                        UsageEvent event = priced.event();
                        row.setObject(1, UUID.randomUUID());
                        row.setObject(2, priced.orgId());
                        row.setObject(3, event.agentId());
                        row.setString(4, event.eventId());
                        row.setString(5, event.model());
                        row.setLong(6, event.inputTokens());
                        row.setLong(7, event.outputTokens());
                        row.setLong(8, event.cachedInputTokens());
                        row.setObject(9, Timestamps.of(event.occurredAt()));
                        row.setObject(10, Timestamps.of(priced.receivedAt()));
                        row.setObject(11, priced.price() == null ? null : priced.price().id(), Types.OTHER);
                        row.setBigDecimal(12, priced.costUsd());
                        row.setString(13, event.fingerprint());
                        row.setObject(14, priced.billedMonth().atDay(1));
                    }

                    @Override
                    public int getBatchSize() {
                        return events.size();
                    }
                });
        boolean[] stored = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            stored[order[i]] = counts[i] == 1;
        }
        return stored;
    }
}
