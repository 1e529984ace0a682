package io.tenantry.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;

/**
 * Agent keys are looked up before any scope exists, so this table has no row-level
 * security; every method here is reached only through an agent already found in scope,
 * or through {@link #principal}, which on PostgreSQL goes through a narrow definer function.
 */
@Repository
class AgentKeyRepository {

    static final int MAX_KEYS_PER_AGENT = 100;

    private final JdbcClient jdbc;
    /**
     * On PostgreSQL a key is resolved through the definer function, since RLS hides every agent
     * then, and a principal is held by advisory locks (V36); H2 has neither.
     */
    private final boolean postgres;

    AgentKeyRepository(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.postgres = vendor == DatabaseVendor.POSTGRESQL;
    }

    /** Keys have no org of their own: one is written only for an agent that lies in {@code scope}. */
    void insert(OrgScope scope, UUID id, UUID agentId, String hash, String prefix, Instant at) {
        int inserted = jdbc.sql("""
                insert into agent_keys (id, agent_id, key_hash, key_prefix, created_at)
                select :id, a.id, :hash, :prefix, :at from agents a
                 where a.id = :agentId and """ + " " + scope.sql("a.org_id"))
                .params(scope.parameters()).param("id", id).param("agentId", agentId).param("hash", hash)
                .param("prefix", prefix).param("at", Timestamps.of(at)).update();
        if (inserted != 1) {
            throw new IllegalStateException("agent " + agentId + " is not in " + scope);
        }
    }

    /** 0 for a key that works, 1 for a revoked one: the keys that work come first. */
    private static final String REVOKED_LAST = "case when revoked_at is null then 0 else 1 end";

    /**
     * A page of the agent's keys: those that work first (at most {@value #MAX_KEYS_PER_AGENT}),
     * then the revoked, each newest first, so that however many were revoked, no working key
     * is out of sight of whoever looks for one to revoke.
     */
    CursorPage<AgentKey> ofAgent(UUID agentId, PageRequest page) {
        Map<String, Object> params = new HashMap<>();
        params.put("agentId", agentId);
        params.put("limit", page.limit() + 1);
        String after = "";
        if (!page.first()) {
            PageRequest.SortKey key = page.after(3);
            params.put("rank", key.wholeNumber(0));
            params.put("at", Timestamps.of(key.instant(1)));
            params.put("id", key.id(2));
            after = " and (" + REVOKED_LAST + " > :rank or " + REVOKED_LAST + " = :rank and (created_at < :at"
                    + " or created_at = :at and id > :id))";
        }
        List<AgentKey> rows = jdbc.sql("select * from agent_keys where agent_id = :agentId" + after + " order by "
                + REVOKED_LAST + ", created_at desc, id limit :limit").params(params)
                .query(AgentKeyRepository::map).list();
        return page.page(rows, k -> new String[] {k.revokedAt() == null ? "0" : "1", k.createdAt().toString(),
                k.id().toString()});
    }

    long activeCount(UUID agentId) {
        return jdbc.sql("select count(*) from agent_keys where agent_id = :agentId and revoked_at is null")
                .param("agentId", agentId).query(Long.class).single();
    }

    Optional<AgentKey> find(UUID agentId, UUID keyId) {
        return jdbc.sql("select * from agent_keys where id = :id and agent_id = :agentId")
                .param("id", keyId).param("agentId", agentId).query(AgentKeyRepository::map).optional();
    }

    void revoke(OrgScope scope, UUID keyId, Instant at) {
        jdbc.sql("update agent_keys set revoked_at = :at where id = :id and revoked_at is null"
                + " and agent_id in (select a.id from agents a where " + scope.sql("a.org_id") + ")")
                .params(scope.parameters()).param("id", keyId).param("at", Timestamps.of(at)).update();
    }

    /** Revokes every key of the agent still open; answers them as they were before. */
    List<AgentKey> revokeAll(OrgScope scope, UUID agentId, Instant at) {
        List<AgentKey> open = jdbc.sql("select * from agent_keys where agent_id = :agentId and revoked_at is null"
                + " and agent_id in (select a.id from agents a where " + scope.sql("a.org_id") + ") order by"
                + " created_at, id").params(scope.parameters()).param("agentId", agentId)
                .query(AgentKeyRepository::map).list();
        if (!open.isEmpty()) {
            jdbc.sql("update agent_keys set revoked_at = :at where id in (:ids) and revoked_at is null")
                    .param("ids", open.stream().map(AgentKey::id).toList()).param("at", Timestamps.of(at)).update();
        }
        return open;
    }

    Optional<AgentPrincipal> principal(String keyHash) {
        String sql = postgres ? "select * from agent_key_principal(:hash)"
                : PRINCIPALS + " where k.key_hash = :hash and k.revoked_at is null";
        return jdbc.sql(sql).param("hash", keyHash).query(AgentKeyRepository::principal).optional();
    }

    /**
     * The principals of the keys among {@code keyIds} that are still valid, by key id. Read
     * directly, not through the definer function: the caller's transaction already sees every
     * org (a usage writer's), and the agents of the keys are found within it.
     */
    Pipeline.Result<Map<UUID, AgentPrincipal>> principals(Pipeline pipeline, OrgScope scope,
            Collection<UUID> keyIds) {
        if (keyIds.isEmpty()) {
            return Pipeline.Result.of(Map.of());
        }
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("ids", keyIds);
        return pipeline.query(PRINCIPALS + " where k.id in (:ids) and k.revoked_at is null and "
                + scope.sql("a.org_id"), params, rs -> {
                    Map<UUID, AgentPrincipal> found = new HashMap<>();
                    for (int row = 0; rs.next(); row++) {
                        AgentPrincipal principal = principal(rs, row);
                        found.put(principal.keyId(), principal);
                    }
                    return found;
                });
    }

    /**
     * True while {@code agent}'s key still has exactly that principal, as the statement that
     * selects it sees the key (so within its scope, which must hold the agent's org).
     */
    KeyConfirmation confirmation(AgentPrincipal agent) {
        Map<String, Object> params = new HashMap<>();
        params.put("kc_key", agent.keyId());
        params.put("kc_issued", Timestamps.of(agent.keyIssuedAt()));
        params.put("kc_agent", agent.agentId());
        params.put("kc_agent_name", agent.agentName());
        params.put("kc_status", agent.status());
        params.put("kc_org", agent.orgId());
        params.put("kc_org_name", agent.orgName());
        params.put("kc_org_active", agent.orgActive());
        params.put("kc_held", agent.heldSince() == null ? null : Timestamps.of(agent.heldSince()));
        // The principal as PRINCIPALS reads it, compared field by field: one definition of it.
        return new KeyConfirmation(agent, "exists (select 1 from (" + PRINCIPALS
                + " where k.id = :kc_key and k.revoked_at is null) p where p.key_created_at = :kc_issued"
                + " and p.agent_id = :kc_agent and p.agent_name = :kc_agent_name and p.agent_status = :kc_status"
                + " and p.org_id = :kc_org and p.org_name = :kc_org_name and p.org_active = :kc_org_active"
                + " and p.held_since is not distinct from :kc_held)", params,
                postgres ? "app_hold_agent_principal(:kc_agent, :kc_org)" : null);
    }

    /** An agent key's principal as the definer function answers it (V14), for H2 and for reads in a scope. */
    private static final String PRINCIPALS = """
            select k.id as key_id, k.created_at as key_created_at, a.id as agent_id, a.name as agent_name,
                   a.status as agent_status, o.id as org_id, o.name as org_name, o.active as org_active,
                   (select max(h.assigned_at) from agent_assignments h where h.agent_id = a.id) as held_since
              from agent_keys k join agents a on a.id = k.agent_id join organizations o on o.id = a.org_id
            """;

    private static AgentPrincipal principal(ResultSet rs, int row) throws SQLException {
        return new AgentPrincipal(rs.getObject("key_id", UUID.class), Timestamps.read(rs, "key_created_at"),
                rs.getObject("agent_id", UUID.class), rs.getString("agent_name"), rs.getString("agent_status"),
                rs.getObject("org_id", UUID.class), rs.getString("org_name"), rs.getBoolean("org_active"),
                Timestamps.read(rs, "held_since"));
    }

    private static AgentKey map(ResultSet rs, int row) throws SQLException {
        return new AgentKey(rs.getObject("id", UUID.class), rs.getObject("agent_id", UUID.class),
                rs.getString("key_prefix"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "revoked_at"));
    }
}
