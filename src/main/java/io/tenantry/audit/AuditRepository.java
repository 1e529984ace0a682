package io.tenantry.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import tools.jackson.databind.json.JsonMapper;

@Repository
class AuditRepository {

    private static final String INSERT = """
            insert into audit_events (id, org_id, occurred_at, actor_type, actor_id, actor_label, action,
                                      target_type, target_id, before_state, after_state, request_id, platform)
            values (:id, :orgId, :at, :actorType, :actorId, :actorLabel, :action,
                    :targetType, :targetId, :before, :after, :requestId, :platform)
            """;

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(OrgScope scope, AuditEvent event) {
        jdbc.sql(INSERT).params(insertParams(scope, event)).update();
    }

    /** The insert as a step of {@code pipeline}, sent with its other statements. */
    void insert(Pipeline pipeline, OrgScope scope, AuditEvent event) {
        pipeline.statement(INSERT, insertParams(scope, event));
    }

    /**
     * The insert of an event once for each row of {@code rows} (the name of a WITH query of
     * the same statement, say), whose columns target_id and after_state stand in for the
     * event's: for a change and its event written by one statement (PostgreSQL). Types are
     * stated, since a parameter in a select list takes none from the column it fills, without
     * lengths (a cast to varchar(n) would cut a value the column should refuse); the
     * parameters ({@link #insertFromParams}) are named audit_*.
     */
    static String insertFrom(String rows) {
        return """
                insert into audit_events (id, org_id, occurred_at, actor_type, actor_id, actor_label, action,
                                          target_type, target_id, before_state, after_state, request_id, platform)
                select cast(:audit_id as uuid), cast(:audit_orgId as uuid), cast(:audit_at as timestamptz),
                       cast(:audit_actorType as varchar), cast(:audit_actorId as uuid),
                       cast(:audit_actorLabel as varchar), cast(:audit_action as varchar),
                       cast(:audit_targetType as varchar), r.target_id, null, r.after_state,
                       cast(:audit_requestId as varchar), false
                  from\s""" + rows + " r";
    }

    /** The parameters of {@link #insertFrom} for {@code event}: {@link #INSERT}'s, named audit_*. */
    static Map<String, Object> insertFromParams(OrgScope scope, AuditEvent event) {
        Map<String, Object> params = new HashMap<>();
        insertParams(scope, event).forEach((name, value) -> params.put("audit_" + name, value));
        return params;
    }

    private static Map<String, Object> insertParams(OrgScope scope, AuditEvent event) {
        scope.requireWritable(event.orgId());
        Map<String, Object> params = new HashMap<>();
        params.put("id", event.id());
        params.put("orgId", event.orgId());
        params.put("at", Timestamps.of(event.occurredAt()));
        params.put("actorType", event.actorType());
        params.put("actorId", event.actorId());
        params.put("actorLabel", truncate(event.actorLabel(), 320));
        params.put("action", event.action());
        params.put("targetType", event.targetType());
        params.put("targetId", event.targetId());
        params.put("before", event.before());
        params.put("after", event.after());
        params.put("requestId", event.requestId());
        params.put("platform", event.platform());
        return params;
    }

    /**
     * {@code withPlatform}: whether the installation's own events are included (owners and
     * admins only); {@code families}: the families of actions to show (null for all of them);
     * {@code hiddenActions}: actions of those families not to show.
     */
    CursorPage<AuditEvent> list(OrgScope scope, boolean withPlatform, List<String> families,
            List<String> hiddenActions, AuditLog.AuditFilter filter, PageRequest page) {
        // Names of orgs, agents, agent keys, rules, policies, credentials, documents and memory
        // entries are read in the same scope as the events
        // (and under row-level security on PostgreSQL): an agent now in an org out of scope, or
        // anything deleted, reads as null. Users are platform identities, outside both: a user
        // is named as the users list would show it, to owners and admins (withPlatform) or
        // where it is bound to an org of the scope now.
        StringBuilder sql = new StringBuilder("select e.*, o.name org_name, case e.target_type"
                + " when 'agent' then (select a.name from agents a where a.id = cast(e.target_id as uuid) and "
                + scope.sql("a.org_id") + ")"
                + " when 'organization' then (select t.name from organizations t where t.id = cast(e.target_id as uuid)"
                + " and " + scope.sql("t.id") + ")"
                + " when 'guardrail_rule' then (select r.name from guardrail_rules r where r.id = cast(e.target_id as"
                + " uuid) and " + scope.sql("r.org_id") + ")"
                + " when 'policy' then (select p.name from policies p where p.id = cast(e.target_id as uuid) and "
                + scope.sql("p.org_id") + ")"
                + " when 'credential' then (select c.name from credentials c where c.id = cast(e.target_id as uuid)"
                + " and " + scope.sql("c.org_id") + ")"
                + " when 'knowledge_document' then (select d.title from knowledge_documents d where d.id ="
                + " cast(e.target_id as uuid) and " + scope.sql("d.org_id") + ")"
                + " when 'memory_entry' then (select m.title from agent_memory m where m.id = cast(e.target_id as"
                + " uuid) and " + scope.sql("m.org_id") + ")"
                + " when 'agent_key' then (select ka.name || ' (' || k.key_prefix || '…)' from agent_keys k join"
                + " agents ka on ka.id = k.agent_id where k.id = cast(e.target_id as uuid) and "
                + scope.sql("ka.org_id") + ")"
                + " when 'user' then (select u.name from users u where u.id = cast(e.target_id as uuid) and "
                + (withPlatform ? "1 = 1" : scope.sql("u.client_org_id")) + ")"
                + " end target_name from audit_events e left join organizations o on o.id = e.org_id where ")
                .append(scope.sql("e.org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        if (!withPlatform) {
            sql.append(" and not e.platform");
        }
        if (families != null) {
            StringBuilder any = new StringBuilder();
            for (int i = 0; i < families.size(); i++) {
                any.append(i == 0 ? "" : " or ").append("e.action like :family").append(i).append(" escape '\\'");
                params.put("family" + i, families.get(i).replace("_", "\\_") + ".%");
            }
            sql.append(families.isEmpty() ? " and 1 = 0" : " and (" + any + ")");
        }
        if (!hiddenActions.isEmpty()) {
            sql.append(" and e.action not in (:hiddenActions)");
            params.put("hiddenActions", hiddenActions);
        }
        if (filter.action() != null) {
            sql.append(" and e.action = :action");
            params.put("action", filter.action());
        }
        if (filter.from() != null) {
            sql.append(" and e.occurred_at >= :from");
            params.put("from", Timestamps.of(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" and e.occurred_at < :to");
            params.put("to", Timestamps.of(filter.to()));
        }
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (e.occurred_at < :afterAt or (e.occurred_at = :afterAt and e.id < :afterId))");
            params.put("afterAt", Timestamps.of(after.instant(0)));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by e.occurred_at desc, e.id desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<AuditEvent> rows = jdbc.sql(sql.toString()).params(params).query(this::map).list();
        return page.page(rows, e -> new String[] {e.occurredAt().toString(), e.id().toString()});
    }

    private AuditEvent map(ResultSet rs, int row) throws SQLException {
        return new AuditEvent(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                rs.getString("org_name"), Timestamps.read(rs, "occurred_at"), rs.getString("actor_type"),
                rs.getObject("actor_id", UUID.class), rs.getString("actor_label"), rs.getString("action"),
                rs.getString("target_type"), rs.getString("target_id"), rs.getString("target_name"),
                parse(rs.getString("before_state")), parse(rs.getString("after_state")), rs.getString("request_id"),
                rs.getBoolean("platform"));
    }

    private Object parse(String state) {
        return state == null ? null : json.readValue(state, Object.class);
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
