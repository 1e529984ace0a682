package io.tenantry.gateway;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** gateway_requests: each org's request log, read and written in the caller's scope. */
@Repository
class RequestLog {

    private static final TypeReference<List<GatewayRequest.RouteStep>> ROUTE = new TypeReference<>() { };

    private final JdbcClient jdbc;

    RequestLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(OrgScope scope, GatewayRequest r) {
        jdbc.sql("""
                insert into gateway_requests (id, org_id, agent_id, agent_name, endpoint, model, provider,
                       upstream_model, stream, status, http_status, error_code, input_tokens, cached_input_tokens,
                       output_tokens, estimated, byok, attempts, route, latency_ms, first_token_ms, started_at,
                       input_decision, output_decision, prompt, answer)
                values (:id, :org, :agent, :agentName, :endpoint, :model, :provider, :upstreamModel, :stream, :status,
                        :httpStatus, :errorCode, :input, :cached, :output, :estimated, :byok, :attempts, :route,
                        :latency, :firstToken, :started, :inputDecision, :outputDecision, :prompt, :answer)
                """).params(columns(r)).update();
    }

    /** A line's values, by the names both the insert and the sweep's replacement bind them with. */
    private static Map<String, Object> columns(GatewayRequest r) {
        Map<String, Object> columns = new HashMap<>();
        columns.put("id", r.id());
        columns.put("org", r.orgId());
        columns.put("agent", r.agentId());
        columns.put("agentName", r.agentName());
        columns.put("endpoint", r.endpoint());
        columns.put("model", r.model());
        columns.put("provider", r.provider());
        columns.put("upstreamModel", r.upstreamModel());
        columns.put("stream", r.stream());
        columns.put("status", r.status());
        columns.put("httpStatus", r.httpStatus());
        columns.put("errorCode", r.errorCode());
        columns.put("input", r.inputTokens());
        columns.put("cached", r.cachedInputTokens());
        columns.put("output", r.outputTokens());
        columns.put("estimated", r.estimated());
        columns.put("byok", r.byok());
        columns.put("attempts", r.attempts());
        columns.put("route", r.route() == null ? null : CallBody.JSON.writeValueAsString(r.route()));
        columns.put("latency", r.latencyMs());
        columns.put("firstToken", r.firstTokenMs());
        columns.put("started", Timestamps.of(r.startedAt()));
        columns.put("inputDecision", r.inputDecision());
        columns.put("outputDecision", r.outputDecision());
        columns.put("prompt", r.prompt());
        columns.put("answer", r.answer());
        return columns;
    }

    /** Whether the log has the call: it was metered (its line and its usage commit together). */
    boolean has(OrgScope scope, UUID id) {
        return jdbc.sql("select count(*) from gateway_requests where id = :id and " + scope.sql("org_id"))
                .param("id", id).params(scope.parameters()).query(Long.class).single() > 0;
    }

    /** The call's line, if the lost-call sweep wrote it (the call's node stopped noting it, {@link LostCallSweep}). */
    Optional<GatewayRequest> sweptLine(OrgScope scope, UUID id) {
        return jdbc.sql("select * from gateway_requests where id = :id and error_code = :lost and " + scope.sql("org_id"))
                .param("id", id).param("lost", LostCallSweep.CODE).params(scope.parameters()).query(RequestLog::map)
                .optional();
    }

    /** Puts the call's own line in place of the one the lost-call sweep wrote for it. */
    void replaceSwept(OrgScope scope, GatewayRequest r) {
        jdbc.sql("""
                update gateway_requests set provider = :provider, upstream_model = :upstreamModel, status = :status,
                       http_status = :httpStatus, error_code = :errorCode, input_tokens = :input,
                       cached_input_tokens = :cached, output_tokens = :output, estimated = :estimated, byok = :byok,
                       attempts = :attempts, route = :route, latency_ms = :latency, first_token_ms = :firstToken,
                       input_decision = :inputDecision, output_decision = :outputDecision, prompt = :prompt,
                       answer = :answer
                 where id = :id and error_code = :lost and\s""" + scope.sql("org_id"))
                .params(columns(r)).param("lost", LostCallSweep.CODE).params(scope.parameters()).update();
    }

    /** What the log may be narrowed to; null fields do not narrow it. */
    record Filter(UUID agentId, String model, String status, Instant from, Instant to) {
    }

    CursorPage<GatewayRequest> list(OrgScope scope, Filter filter, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from gateway_requests where ").append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        if (filter.agentId() != null) {
            sql.append(" and agent_id = :agent");
            params.put("agent", filter.agentId());
        }
        if (filter.model() != null) {
            sql.append(" and model = :model");
            params.put("model", filter.model());
        }
        if (filter.status() != null) {
            sql.append(" and status = :status");
            params.put("status", filter.status());
        }
        if (filter.from() != null) {
            sql.append(" and started_at >= :from");
            params.put("from", Timestamps.of(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" and started_at < :to");
            params.put("to", Timestamps.of(filter.to()));
        }
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (started_at < :afterAt or (started_at = :afterAt and id < :afterId))");
            params.put("afterAt", Timestamps.of(after.instant(0)));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by started_at desc, id desc limit ").append(page.limit() + 1);
        List<GatewayRequest> rows = jdbc.sql(sql.toString()).params(params).query(RequestLog::map).list();
        return page.page(new ArrayList<>(rows), r -> new String[] {r.startedAt().toString(), r.id().toString()});
    }

    /**
     * The calls started in [from, to), summed per bucket of {@code bucketSeconds} (counted
     * from the epoch, so buckets are the same for everyone); only buckets with calls.
     */
    List<GatewayStats.Bucket> stats(OrgScope scope, Instant from, Instant to, int bucketSeconds) {
        String slot = "floor(extract(epoch from started_at) / " + bucketSeconds + ")";
        return jdbc.sql("select " + slot + " as slot, count(*) as requests,"
                + " sum(case when status in ('error', 'cut') then 1 else 0 end) as errors,"
                + " sum(case when status = 'refused' then 1 else 0 end) as refused,"
                + " sum(input_tokens + cached_input_tokens) as input_tokens, sum(output_tokens) as output_tokens,"
                + " percentile_cont(0.5) within group (order by latency_ms) as latency_p50,"
                + " percentile_cont(0.95) within group (order by latency_ms) as latency_p95,"
                + " percentile_cont(0.5) within group (order by first_token_ms) as first_token_p50"
                + " from gateway_requests where started_at >= :from and started_at < :to and " + scope.sql("org_id")
                + " group by " + slot + " order by slot")
                .param("from", Timestamps.of(from)).param("to", Timestamps.of(to)).params(scope.parameters())
                .query((rs, n) -> new GatewayStats.Bucket(Instant.ofEpochSecond(rs.getLong("slot") * bucketSeconds),
                        rs.getLong("requests"), rs.getLong("errors"), rs.getLong("refused"),
                        rs.getLong("input_tokens"), rs.getLong("output_tokens"), millis(rs, "latency_p50"),
                        millis(rs, "latency_p95"), millis(rs, "first_token_p50")))
                .list();
    }

    private static Integer millis(ResultSet rs, String column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : (int) Math.round(value);
    }

    int forget(OrgScope scope, Instant before) {
        return jdbc.sql("delete from gateway_requests where started_at < :before and " + scope.sql("org_id"))
                .param("before", Timestamps.of(before)).params(scope.parameters()).update();
    }

    private static List<GatewayRequest.RouteStep> route(String stored) {
        return stored == null ? null : CallBody.JSON.readValue(stored, ROUTE);
    }

    private static GatewayRequest map(ResultSet rs, int n) throws SQLException {
        return new GatewayRequest(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                rs.getObject("agent_id", UUID.class), rs.getString("agent_name"), rs.getString("endpoint"),
                rs.getString("model"), rs.getString("provider"), rs.getString("upstream_model"),
                rs.getBoolean("stream"), rs.getString("status"), rs.getInt("http_status"), rs.getString("error_code"),
                rs.getLong("input_tokens"), rs.getLong("cached_input_tokens"), rs.getLong("output_tokens"),
                rs.getBoolean("estimated"), rs.getBoolean("byok"), rs.getInt("attempts"), route(rs.getString("route")),
                rs.getInt("latency_ms"),
                rs.getObject("first_token_ms", Integer.class), Timestamps.read(rs, "started_at"),
                rs.getString("input_decision"), rs.getString("output_decision"), rs.getString("prompt"),
                rs.getString("answer"));
    }
}
