package io.tenantry.policy;

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

import io.tenantry.agent.AppliesTo;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/** Policies, their versions and the agents they name; org data like every tenant table. */
@Repository
class PolicyRepository {

    private final JdbcClient jdbc;

    PolicyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    CursorPage<Policy> list(OrgScope scope, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from policies where ").append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (name > :afterName or (name = :afterName and id > :afterId))");
            params.put("afterName", after.text(0));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by name, id limit :limit");
        params.put("limit", page.limit() + 1);
        List<Row> rows = jdbc.sql(sql.toString()).params(params).query(PolicyRepository::row).list();
        return page.page(withTargets(scope, rows), p -> new String[] {p.name(), p.id().toString()});
    }

    Optional<Policy> find(OrgScope scope, UUID id) {
        return one(scope, "select * from policies where id = :id and " + scope.sql("org_id"), id);
    }

    /** Locks the row until the transaction ends, so that checks and the write see the same policy. */
    Optional<Policy> lock(OrgScope scope, UUID id) {
        return one(scope, "select * from policies where id = :id and " + scope.sql("org_id") + " for update", id);
    }

    private Optional<Policy> one(OrgScope scope, String sql, UUID id) {
        List<Row> rows = jdbc.sql(sql).param("id", id).params(scope.parameters()).query(PolicyRepository::row).list();
        return withTargets(scope, rows).stream().findFirst();
    }

    long countIn(OrgScope scope, UUID orgId) {
        return jdbc.sql("select count(*) from policies where org_id = :org and " + scope.sql("org_id"))
                .param("org", orgId).params(scope.parameters()).query(Long.class).single();
    }

    boolean nameTaken(OrgScope scope, UUID orgId, String name, UUID except) {
        return jdbc.sql("select count(*) from policies where org_id = :org and name = :name and id <> :id and "
                + scope.sql("org_id")).param("org", orgId).param("name", name).param("id", except)
                .params(scope.parameters()).query(Long.class).single() > 0;
    }

    /** The enabled policies that apply to {@code agentId} in {@code orgId}, by name. */
    List<Policy> applyingTo(OrgScope scope, UUID orgId, UUID agentId) {
        List<Row> rows = jdbc.sql("select * from policies p where p.org_id = :org and p.enabled and (p.applies_to_all"
                + " or exists (select 1 from policy_agents t where t.policy_id = p.id and t.agent_id = :agent"
                + " and t.org_id = :org)) and " + scope.sql("p.org_id") + " order by p.name, p.id")
                .param("org", orgId).param("agent", agentId).params(scope.parameters())
                .query(PolicyRepository::row).list();
        return withTargets(scope, rows);
    }

    void insert(OrgScope scope, Policy policy, String actor) {
        scope.requireWritable(policy.orgId());
        jdbc.sql("""
                insert into policies (id, org_id, name, category, enforcement, applies_to_all, enabled, version, content,
                                      created_at, updated_at)
                values (:id, :org, :name, :category, :enforcement, :all, :enabled, :version, :content, :at, :at)
                """).param("id", policy.id()).param("org", policy.orgId()).param("name", policy.name())
                .param("category", policy.category()).param("enforcement", policy.enforcement())
                .param("all", policy.appliesTo().all()).param("enabled", policy.enabled())
                .param("version", policy.version()).param("content", policy.content())
                .param("at", Timestamps.of(policy.createdAt())).update();
        addVersion(scope, policy, actor);
        name(policy, policy.appliesTo().agentIds());
    }

    /** Writes the policy's fields; a new version of its content when its version went up. */
    void update(OrgScope scope, Policy before, Policy after, String actor) {
        scope.requireWritable(after.orgId());
        jdbc.sql("""
                update policies set name = :name, category = :category, enforcement = :enforcement,
                                    applies_to_all = :all, enabled = :enabled, version = :version, content = :content,
                                    updated_at = :at
                 where id = :id and """ + " " + scope.sql("org_id"))
                .param("id", after.id()).param("name", after.name()).param("category", after.category())
                .param("enforcement", after.enforcement()).param("all", after.appliesTo().all())
                .param("enabled", after.enabled()).param("version", after.version()).param("content", after.content())
                .param("at", Timestamps.of(after.updatedAt())).params(scope.parameters()).update();
        if (after.version() != before.version()) {
            addVersion(scope, after, actor);
        }
        // Only the agents it no longer names, and those it names anew: rewriting the others would
        // lock their agents' rows again (a key share, for the foreign key), and deadlock a move
        // of one against the deletion of another.
        List<UUID> dropped = before.appliesTo().namedBeyond(after.appliesTo());
        if (!dropped.isEmpty()) {
            jdbc.sql("delete from policy_agents where policy_id = :id and agent_id in (:agents) and "
                    + scope.sql("org_id")).param("id", after.id()).param("agents", dropped)
                    .params(scope.parameters()).update();
        }
        name(after, after.appliesTo().namedBeyond(before.appliesTo()));
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from policies where id = :id and " + scope.sql("org_id")).param("id", id)
                .params(scope.parameters()).update();
    }

    CursorPage<PolicyVersion> versions(OrgScope scope, UUID policyId, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from policy_versions where policy_id = :id and ")
                .append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("id", policyId);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(1);
            sql.append(" and version < :before");
            params.put("before", after.wholeNumber(0));
        }
        sql.append(" order by version desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<PolicyVersion> rows = jdbc.sql(sql.toString()).params(params)
                .query((rs, n) -> new PolicyVersion(rs.getInt("version"), rs.getString("content"),
                        Timestamps.read(rs, "created_at"), rs.getString("created_by"))).list();
        return page.page(rows, v -> new String[] {Integer.toString(v.version())});
    }

    /** The policies of {@code orgId} that name {@code agentId}. */
    List<UUID> naming(OrgScope scope, UUID orgId, UUID agentId) {
        return jdbc.sql("select policy_id from policy_agents where agent_id = :agent and org_id = :org and "
                + scope.sql("org_id") + " order by policy_id").param("agent", agentId).param("org", orgId)
                .params(scope.parameters()).query(UUID.class).list();
    }

    private void addVersion(OrgScope scope, Policy policy, String actor) {
        scope.requireWritable(policy.orgId());
        jdbc.sql("insert into policy_versions (org_id, policy_id, version, content, created_at, created_by)"
                + " values (:org, :id, :version, :content, :at, :by)")
                .param("org", policy.orgId()).param("id", policy.id()).param("version", policy.version())
                .param("content", policy.content()).param("at", Timestamps.of(policy.updatedAt()))
                .param("by", actor).update();
    }

    private void name(Policy policy, List<UUID> agents) {
        for (UUID agent : agents) {
            jdbc.sql("insert into policy_agents (org_id, policy_id, agent_id) values (:org, :id, :agent)")
                    .param("org", policy.orgId()).param("id", policy.id()).param("agent", agent).update();
        }
    }

    /** A policies row before its named agents are read. */
    private record Row(UUID id, UUID orgId, String name, String category, String enforcement, boolean all,
            boolean enabled, int version, String content, Instant createdAt, Instant updatedAt) {
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("name"),
                rs.getString("category"), rs.getString("enforcement"), rs.getBoolean("applies_to_all"),
                rs.getBoolean("enabled"), rs.getInt("version"), rs.getString("content"),
                Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }

    /** The rows as policies, with the agents of those that name theirs, in one more query at most. */
    private List<Policy> withTargets(OrgScope scope, List<Row> rows) {
        List<UUID> naming = rows.stream().filter(r -> !r.all()).map(Row::id).toList();
        Map<UUID, List<UUID>> targets = new HashMap<>();
        if (!naming.isEmpty()) {
            jdbc.sql("select policy_id, agent_id from policy_agents where policy_id in (:ids) and "
                    + scope.sql("org_id") + " order by policy_id, agent_id")
                    .param("ids", naming).params(scope.parameters())
                    .query(rs -> {
                        targets.computeIfAbsent(rs.getObject("policy_id", UUID.class), k -> new ArrayList<>())
                                .add(rs.getObject("agent_id", UUID.class));
                    });
        }
        return rows.stream().map(r -> new Policy(r.id(), r.orgId(), r.name(), r.category(), r.enforcement(),
                r.content(), r.all() ? AppliesTo.EVERY_AGENT : new AppliesTo(false, targets.getOrDefault(r.id(),
                        List.of())), r.enabled(), r.version(), r.createdAt(), r.updatedAt())).toList();
    }
}
