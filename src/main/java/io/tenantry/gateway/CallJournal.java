package io.tenantry.gateway;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;

/** gateway_calls_in_flight: what each call under way has used so far, as last noted (V41). */
@Repository
class CallJournal {

    private final JdbcClient jdbc;
    private final String upsert;

    CallJournal(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        String columns = "(id, org_id, agent_id, agent_name, endpoint, model, provider, upstream_model, stream, byok,"
                + " input_tokens, output_tokens, started_at, noted_at)";
        String values = "(:id, :org, :agent, :agentName, :endpoint, :model, :provider, :upstreamModel, :stream,"
                + " :byok, :input, :output, :started, :noted)";
        // The row's org is checked against the scope by row-level security on PostgreSQL; on H2
        // the journal writes only calls it serves, in the all-orgs scope.
        this.upsert = vendor == DatabaseVendor.POSTGRESQL
                ? "insert into gateway_calls_in_flight " + columns + " values " + values + " on conflict (id) do"
                        + " update set provider = excluded.provider, upstream_model = excluded.upstream_model,"
                        + " byok = excluded.byok, output_tokens = excluded.output_tokens,"
                        + " noted_at = excluded.noted_at"
                : "merge into gateway_calls_in_flight " + columns + " key (id) values " + values;
    }

    void note(OrgScope scope, CallsInFlight.Note note) {
        scope.requireWritable(note.orgId());
        jdbc.sql(upsert).params(params(note)).update();
    }

    /** The note written by {@code statements}, in {@code scope}. */
    void note(Pipeline statements, OrgScope scope, CallsInFlight.Note note) {
        scope.requireWritable(note.orgId());
        statements.statement(upsert, params(note));
    }

    private static Map<String, Object> params(CallsInFlight.Note note) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", note.id());
        params.put("org", note.orgId());
        params.put("agent", note.agentId());
        params.put("agentName", note.agentName());
        params.put("endpoint", note.endpoint());
        params.put("model", note.model());
        params.put("provider", note.provider());
        params.put("upstreamModel", note.upstreamModel());
        params.put("stream", note.stream());
        params.put("byok", note.byok());
        params.put("input", note.inputTokens());
        params.put("output", note.outputTokens());
        params.put("started", Timestamps.of(note.startedAt()));
        params.put("noted", Timestamps.of(note.notedAt()));
        return params;
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from gateway_calls_in_flight where id = :id and " + scope.sql("org_id")).param("id", id)
                .params(scope.parameters()).update();
    }

    /**
     * Notes of calls begun before {@code begunBefore} and last noted before {@code notedBefore},
     * oldest first: calls that must have ended by now, and that no node is noting any more.
     */
    List<CallsInFlight.Note> abandoned(OrgScope scope, Instant begunBefore, Instant notedBefore, int limit) {
        return jdbc.sql("select * from gateway_calls_in_flight where started_at < :begun and noted_at < :noted and "
                + scope.sql("org_id") + " order by started_at, id fetch first :limit rows only")
                .param("begun", Timestamps.of(begunBefore)).param("noted", Timestamps.of(notedBefore))
                .param("limit", limit).params(scope.parameters()).query(CallJournal::note).list();
    }

    /** How many calls of the org the journal holds, when the latest began, and when the latest note was written. */
    record OfOrg(long calls, Instant lastStarted, Instant lastNoted) {
    }

    OfOrg ofOrg(OrgScope scope, UUID orgId) {
        return jdbc.sql("select count(*) as calls, max(started_at) as last_started, max(noted_at) as last_noted from"
                + " gateway_calls_in_flight where org_id = :org and " + scope.sql("org_id")).param("org", orgId)
                .params(scope.parameters()).query((rs, n) -> new OfOrg(rs.getLong("calls"),
                        Timestamps.read(rs, "last_started"), Timestamps.read(rs, "last_noted"))).single();
    }

    private static CallsInFlight.Note note(ResultSet rs, int n) throws SQLException {
        return new CallsInFlight.Note(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                rs.getObject("agent_id", UUID.class), rs.getString("agent_name"), rs.getString("endpoint"),
                rs.getString("model"), rs.getString("provider"), rs.getString("upstream_model"),
                rs.getBoolean("stream"), rs.getBoolean("byok"), rs.getLong("input_tokens"),
                rs.getLong("output_tokens"), Timestamps.read(rs, "started_at"), Timestamps.read(rs, "noted_at"));
    }
}
