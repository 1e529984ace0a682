package io.tenantry.billing.usage;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.billing.BillingMonth;
import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;

/**
 * Usage summed per org, billed month, agent, model and usage month. Changed only in the
 * transaction that changes the events it sums, so it always equals them; statements read
 * it instead of the events, and cost no more with five million events than with five.
 */
@Repository
class UsageRollups {

    private static final String POSTGRES_UPSERT = """
            insert into usage_rollups (org_id, billed_month, agent_id, model, usage_month, events, input_tokens,
                                       output_tokens, cached_input_tokens, cost_usd, unpriced_tokens, repriced_tokens)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (org_id, billed_month, agent_id, model, usage_month) do update set
                events = usage_rollups.events + excluded.events,
                input_tokens = usage_rollups.input_tokens + excluded.input_tokens,
                output_tokens = usage_rollups.output_tokens + excluded.output_tokens,
                cached_input_tokens = usage_rollups.cached_input_tokens + excluded.cached_input_tokens,
                cost_usd = usage_rollups.cost_usd + excluded.cost_usd,
                unpriced_tokens = usage_rollups.unpriced_tokens + excluded.unpriced_tokens,
                repriced_tokens = usage_rollups.repriced_tokens + excluded.repriced_tokens
            """;

    private static final String H2_MERGE = """
            merge into usage_rollups t
            using (select cast(:orgId as uuid) org_id, cast(:billedMonth as date) billed_month,
                          cast(:agentId as uuid) agent_id, cast(:model as varchar(100)) model,
                          cast(:usageMonth as date) usage_month, cast(:events as bigint) events,
                          cast(:input as bigint) input_tokens, cast(:output as bigint) output_tokens,
                          cast(:cached as bigint) cached_input_tokens, cast(:cost as numeric(38, 12)) cost_usd,
                          cast(:unpriced as bigint) unpriced_tokens, cast(:repriced as bigint) repriced_tokens) s
               on t.org_id = s.org_id and t.billed_month = s.billed_month and t.agent_id = s.agent_id
              and t.model = s.model and t.usage_month = s.usage_month
            when matched then update set
                events = t.events + s.events, input_tokens = t.input_tokens + s.input_tokens,
                output_tokens = t.output_tokens + s.output_tokens,
                cached_input_tokens = t.cached_input_tokens + s.cached_input_tokens,
                cost_usd = t.cost_usd + s.cost_usd, unpriced_tokens = t.unpriced_tokens + s.unpriced_tokens,
                repriced_tokens = t.repriced_tokens + s.repriced_tokens
            when not matched then insert (org_id, billed_month, agent_id, model, usage_month, events, input_tokens,
                output_tokens, cached_input_tokens, cost_usd, unpriced_tokens, repriced_tokens)
                values (s.org_id, s.billed_month, s.agent_id, s.model, s.usage_month, s.events, s.input_tokens,
                s.output_tokens, s.cached_input_tokens, s.cost_usd, s.unpriced_tokens, s.repriced_tokens)
            """;

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batch;
    private final boolean postgres;

    UsageRollups(JdbcClient jdbc, NamedParameterJdbcTemplate batch, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.postgres = vendor == DatabaseVendor.POSTGRESQL;
    }

    /**
     * Adds these amounts to the rollups. Rows are merged and written in key order, so two
     * transactions touching the same rows lock them in the same order and cannot deadlock.
     */
    void add(OrgScope scope, Collection<RollupRow> deltas) {
        Map<String, RollupRow> merged = new TreeMap<>();
        for (RollupRow delta : deltas) {
            scope.requireWritable(delta.orgId());
            merged.merge(delta.key(), delta, RollupRow::plus);
        }
        if (merged.isEmpty()) {
            return;
        }
        if (postgres) {
            // By position and type, as the events (UsageRepository.insertNew).
            List<RollupRow> rows = List.copyOf(merged.values());
            batch.getJdbcTemplate().batchUpdate(POSTGRES_UPSERT, new BatchPreparedStatementSetter() {
                @Override
                public void setValues(PreparedStatement statement, int i) throws SQLException {
                    RollupRow row = rows.get(i);
                    statement.setObject(1, row.orgId());
                    statement.setObject(2, row.billedMonth().atDay(1));
                    statement.setObject(3, row.agentId());
                    statement.setString(4, row.model());
                    statement.setObject(5, row.usageMonth().atDay(1));
                    statement.setLong(6, row.events());
                    statement.setLong(7, row.inputTokens());
                    statement.setLong(8, row.outputTokens());
                    statement.setLong(9, row.cachedInputTokens());
                    statement.setBigDecimal(10, row.costUsd());
                    statement.setLong(11, row.unpricedTokens());
                    statement.setLong(12, row.repricedTokens());
                }

                @Override
                public int getBatchSize() {
                    return rows.size();
                }
            });
            return;
        }
        for (RollupRow row : merged.values()) {
            mergeH2(parameters(row));
        }
    }

    /** H2's MERGE is not atomic against a concurrent insert of the same new row; the retry finds it. */
    private void mergeH2(SqlParameterSource row) {
        for (int attempt = 1;; attempt++) {
            try {
                batch.update(H2_MERGE, row);
                return;
            } catch (DuplicateKeyException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * The rollups of the orgs of {@code scope} billed in [from, to]. With {@code perAgent}
     * false, agents are summed (agentId is null in the rows).
     */
    List<RollupRow> of(OrgScope scope, YearMonth from, YearMonth to, boolean perAgent) {
        String agent = perAgent ? "agent_id" : "cast(null as uuid)";
        String sql = "select org_id, billed_month, " + agent + " agent_id, model, usage_month, sum(events) events,"
                + " sum(input_tokens) input_tokens, sum(output_tokens) output_tokens,"
                + " sum(cached_input_tokens) cached_input_tokens, sum(cost_usd) cost_usd,"
                + " sum(unpriced_tokens) unpriced_tokens, sum(repriced_tokens) repriced_tokens from usage_rollups"
                + " where billed_month >= :from and billed_month <= :to and " + scope.sql("org_id")
                + " group by org_id, billed_month, " + (perAgent ? "agent_id, " : "") + "model, usage_month";
        return jdbc.sql(sql).param("from", BillingMonth.date(from)).param("to", BillingMonth.date(to))
                .params(scope.parameters())
                .query((rs, row) -> new RollupRow(rs.getObject("org_id", UUID.class),
                        YearMonth.from(rs.getObject("billed_month", java.time.LocalDate.class)),
                        rs.getObject("agent_id", UUID.class), rs.getString("model"),
                        YearMonth.from(rs.getObject("usage_month", java.time.LocalDate.class)), rs.getLong("events"),
                        rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
                        rs.getBigDecimal("cost_usd"), rs.getLong("unpriced_tokens"), rs.getLong("repriced_tokens")))
                .list();
    }

    /** The priced cost of one org's usage billed in {@code month}, and of one of its agents, in one read. */
    Pipeline.Result<UsageTotals.Spend> spend(Pipeline pipeline, OrgScope scope, UUID orgId, UUID agentId,
            YearMonth month) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        params.put("month", BillingMonth.date(month));
        params.put("agent", agentId);
        return pipeline.query("select coalesce(sum(cost_usd), 0) as org_cost,"
                + " coalesce(sum(case when agent_id = :agent then cost_usd end), 0) as agent_cost"
                + " from usage_rollups where org_id = :org and billed_month = :month and " + scope.sql("org_id"),
                params, rs -> {
                    rs.next();
                    return new UsageTotals.Spend(rs.getBigDecimal("org_cost"), rs.getBigDecimal("agent_cost"));
                });
    }

    /** Ids bound per query. */
    private static final int AGENT_CHUNK = 1000;

    /** The priced cost of each of these agents' usage billed in [from, to], per org and billed month. */
    List<UsageTotals.AgentSpend> agentSpend(OrgScope scope, YearMonth from, YearMonth to, Collection<UUID> agentIds) {
        List<UsageTotals.AgentSpend> spend = new java.util.ArrayList<>();
        List<UUID> all = List.copyOf(agentIds);
        for (int start = 0; start < all.size(); start += AGENT_CHUNK) {
            spend.addAll(jdbc.sql("select org_id, agent_id, billed_month, sum(cost_usd) cost_usd from usage_rollups"
                    + " where billed_month >= :from and billed_month <= :to and agent_id in (:ids) and "
                    + scope.sql("org_id") + " group by org_id, agent_id, billed_month")
                    .param("from", BillingMonth.date(from)).param("to", BillingMonth.date(to))
                    .param("ids", all.subList(start, Math.min(all.size(), start + AGENT_CHUNK)))
                    .params(scope.parameters())
                    .query((rs, row) -> new UsageTotals.AgentSpend(rs.getObject("org_id", UUID.class),
                            rs.getObject("agent_id", UUID.class),
                            YearMonth.from(rs.getObject("billed_month", java.time.LocalDate.class)),
                            rs.getBigDecimal("cost_usd")))
                    .list());
        }
        return spend;
    }

    /** Usage without a price billed in [from, to], per org, model and billed month; only where there is some. */
    List<RollupRow> unpriced(OrgScope scope, YearMonth from, YearMonth to) {
        String sql = "select org_id, billed_month, model, sum(unpriced_tokens) unpriced_tokens from usage_rollups"
                + " where billed_month >= :from and billed_month <= :to and unpriced_tokens > 0 and "
                + scope.sql("org_id") + " group by org_id, billed_month, model";
        return jdbc.sql(sql).param("from", BillingMonth.date(from)).param("to", BillingMonth.date(to))
                .params(scope.parameters())
                .query((rs, row) -> new RollupRow(rs.getObject("org_id", UUID.class),
                        YearMonth.from(rs.getObject("billed_month", java.time.LocalDate.class)), null,
                        rs.getString("model"), null, 0, 0, 0, 0, java.math.BigDecimal.ZERO,
                        rs.getLong("unpriced_tokens"), 0))
                .list();
    }

    Optional<YearMonth> firstUsageMonth(OrgScope scope) {
        return jdbc.sql("select min(usage_month) from usage_rollups where " + scope.sql("org_id"))
                .params(scope.parameters()).query((rs, row) -> rs.getObject(1, java.time.LocalDate.class)).list()
                .stream().filter(java.util.Objects::nonNull).findFirst().map(YearMonth::from);
    }

    /** The orgs with usage billed in {@code month}. */
    Set<UUID> orgsBilled(OrgScope scope, YearMonth month) {
        return new HashSet<>(jdbc.sql("select distinct org_id from usage_rollups where billed_month = :month and "
                + scope.sql("org_id")).param("month", BillingMonth.date(month)).params(scope.parameters())
                .query(UUID.class).list());
    }

    private static SqlParameterSource parameters(RollupRow row) {
        return new MapSqlParameterSource().addValue("orgId", row.orgId())
                .addValue("billedMonth", BillingMonth.date(row.billedMonth())).addValue("agentId", row.agentId())
                .addValue("model", row.model()).addValue("usageMonth", BillingMonth.date(row.usageMonth()))
                .addValue("events", row.events()).addValue("input", row.inputTokens())
                .addValue("output", row.outputTokens()).addValue("cached", row.cachedInputTokens())
                .addValue("cost", row.costUsd()).addValue("unpriced", row.unpricedTokens())
                .addValue("repriced", row.repricedTokens());
    }
}
