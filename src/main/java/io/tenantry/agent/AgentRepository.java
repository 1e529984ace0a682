package io.tenantry.agent;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Like;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * SQL for agents. The organization's name, rate and active flag are joined in for the
 * effective status and rate; a visible agent's org is always in the same scope.
 */
@Repository
class AgentRepository {

    private static final String SELECT = """
            select a.*, o.name as org_name, o.active as org_active, o.billing_rate_per_agent as org_rate,
                   o.currency as org_currency
              from agents a join organizations o on o.id = a.org_id
            """;

    private final JdbcClient jdbc;
    private final ScopedTransactions transactions;

    AgentRepository(JdbcClient jdbc, ScopedTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** One page of the scope's agents, in one statement (one round trip when no transaction is open). */
    CursorPage<Agent> list(OrgScope scope, String search, PageRequest page) {
        StringBuilder sql = new StringBuilder(SELECT).append(" where ").append(scope.sql("a.org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        if (search != null) {
            sql.append(" and lower(a.name) like :search escape '\\'");
            params.put("search", Like.contains(search));
        }
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (a.name > :afterName or (a.name = :afterName and a.id > :afterId))");
            params.put("afterName", after.text(0));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by a.name, a.id limit :limit");
        params.put("limit", page.limit() + 1);
        List<Agent> rows = transactions.readOne(scope, sql.toString(), params, AgentRepository::map);
        return page.page(rows, a -> new String[] {a.name(), a.id().toString()});
    }

    Optional<Agent> find(OrgScope scope, UUID id) {
        return jdbc.sql(SELECT + " where a.id = :id and " + scope.sql("a.org_id"))
                .param("id", id).params(scope.parameters()).query(AgentRepository::map).optional();
    }

    /** Every agent within {@code scope} that has a monthly budget of its own. */
    List<AgentService.Budgeted> budgeted(OrgScope scope) {
        return jdbc.sql("select id, org_id, monthly_budget from agents where monthly_budget is not null and "
                + scope.sql("org_id")).params(scope.parameters())
                .query((rs, row) -> new AgentService.Budgeted(rs.getObject("id", UUID.class),
                        rs.getObject("org_id", UUID.class), rs.getBigDecimal("monthly_budget")))
                .list();
    }

    /** The monthly budgets of those of {@code ids} that have one, within {@code scope}. */
    Pipeline.Result<Map<UUID, BigDecimal>> monthlyBudgets(Pipeline pipeline, OrgScope scope, Collection<UUID> ids) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("ids", ids);
        return pipeline.query("select id, monthly_budget from agents where id in (:ids) and monthly_budget is not null"
                + " and " + scope.sql("org_id"), params, rs -> {
                    Map<UUID, BigDecimal> budgets = new HashMap<>();
                    while (rs.next()) {
                        budgets.put(rs.getObject("id", UUID.class), rs.getBigDecimal("monthly_budget"));
                    }
                    return budgets;
                });
    }

    /** Ids bound per query: a statement covering every org names thousands of agents. */
    private static final int NAME_CHUNK = 1000;

    java.util.Map<UUID, AgentService.HeldName> names(OrgScope scope, java.util.Collection<UUID> ids) {
        java.util.Map<UUID, AgentService.HeldName> names = new java.util.HashMap<>();
        List<UUID> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += NAME_CHUNK) {
            jdbc.sql("select id, org_id, name from agents a where a.id in (:ids) and " + scope.sql("a.org_id"))
                    .param("ids", all.subList(from, Math.min(all.size(), from + NAME_CHUNK)))
                    .params(scope.parameters())
                    .query(rs -> {
                        names.put(rs.getObject("id", UUID.class), new AgentService.HeldName(
                                rs.getObject("org_id", UUID.class), rs.getString("name")));
                    });
        }
        return names;
    }

    /**
     * Locks those of {@code ids} that {@code orgId} holds, in id order (so that two callers
     * locking overlapping sets cannot deadlock), and answers which they are. A row a move
     * changed while this waited is read again as the move left it: gone from {@code orgId}.
     */
    Set<UUID> lockOf(OrgScope scope, UUID orgId, Collection<UUID> ids) {
        return new HashSet<>(jdbc.sql("select id from agents a where a.id in (:ids) and a.org_id = :org and "
                + scope.sql("a.org_id") + " order by a.id for update")
                .param("ids", List.copyOf(ids)).param("org", orgId).params(scope.parameters())
                .query(UUID.class).list());
    }

    /** Locks the agent row so concurrent moves and edits apply one after the other. */
    Optional<Agent> lock(OrgScope scope, UUID id) {
        boolean found = jdbc.sql("select id from agents a where a.id = :id and " + scope.sql("a.org_id")
                + " for update").param("id", id).params(scope.parameters()).query(UUID.class).optional().isPresent();
        return found ? find(scope, id) : Optional.empty();
    }

    boolean emailTaken(String email, UUID exceptId) {
        return jdbc.sql("select count(*) from agents where email = :email and id <> :id")
                .param("email", email).param("id", exceptId).query(Long.class).single() > 0;
    }

    void insert(OrgScope scope, UUID id, UUID orgId, String name, String email, String description, String model,
            String status, BigDecimal rateOverride, BigDecimal budget, Instant at) {
        scope.requireWritable(orgId);
        jdbc.sql("""
                insert into agents (id, org_id, name, email, description, model, status, paused_by,
                                    billing_rate_override, monthly_budget, created_at, updated_at)
                values (:id, :orgId, :name, :email, :description, :model, :status, :pausedBy, :rate, :budget, :at,
                        :at)
                """)
                .param("id", id).param("orgId", orgId).param("name", name).param("email", email)
                .param("description", description).param("model", model).param("status", status)
                // Only operators create agents, so one created paused is the operator's to resume.
                .param("pausedBy", Agent.PAUSED.equals(status) ? PausedBy.operator.name() : null)
                .param("rate", rateOverride).param("budget", budget).param("at", Timestamps.of(at)).update();
    }

    void update(OrgScope scope, UUID id, String name, String email, String description, String model, String status,
            BigDecimal rateOverride, BigDecimal budget, Instant at) {
        jdbc.sql("""
                update agents set name = :name, email = :email, description = :description, model = :model,
                       status = :status, billing_rate_override = :rate, monthly_budget = :budget, updated_at = :at
                 where id = :id and """ + " " + scope.sql("org_id"))
                .param("id", id).param("name", name).param("email", email).param("description", description)
                .param("model", model).param("status", status).param("rate", rateOverride).param("budget", budget)
                .param("at", Timestamps.of(at))
                .params(scope.parameters()).update();
    }

    /** Sets the agent's status and who holds it there (null when active). */
    void setStatus(OrgScope scope, UUID id, String status, PausedBy pausedBy, Instant at) {
        jdbc.sql("update agents set status = :status, paused_by = :pausedBy, updated_at = :at where id = :id and "
                + scope.sql("org_id"))
                .param("id", id).param("status", status).param("pausedBy", pausedBy == null ? null : pausedBy.name())
                .param("at", Timestamps.of(at)).params(scope.parameters()).update();
    }

    void moveTo(OrgScope scope, UUID id, UUID orgId, Instant at) {
        jdbc.sql("update agents set org_id = :orgId, updated_at = :at where id = :id and " + scope.sql("org_id"))
                .param("id", id).param("orgId", orgId).param("at", Timestamps.of(at)).params(scope.parameters()).update();
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from agents where id = :id and " + scope.sql("org_id"))
                .param("id", id).params(scope.parameters()).update();
    }

    /** The agents an org holds now, counted row by row: what decides whether it may be deleted. */
    long countIn(OrgScope scope, UUID orgId) {
        return jdbc.sql("select count(*) from agents where org_id = :orgId and " + scope.sql("org_id"))
                .param("orgId", orgId).params(scope.parameters()).query(Long.class).single();
    }

    /** The names of an org's agents with a billing rate override or a monthly budget of their own, at most {@code limit}. */
    List<String> namesWithOwnAmounts(OrgScope scope, UUID orgId, int limit) {
        return jdbc.sql("select name from agents where org_id = :orgId and (billing_rate_override is not null or "
                + "monthly_budget is not null) and " + scope.sql("org_id") + " order by name, id limit :limit")
                .param("orgId", orgId).param("limit", limit).params(scope.parameters()).query(String.class).list();
    }

    List<Agent> inOrg(OrgScope scope, UUID orgId, int limit) {
        return jdbc.sql(SELECT + " where a.org_id = :orgId and " + scope.sql("a.org_id")
                + " order by a.name, a.id limit :limit")
                .param("orgId", orgId).param("limit", limit).params(scope.parameters())
                .query(AgentRepository::map).list();
    }

    private static Agent map(ResultSet rs, int row) throws SQLException {
        BigDecimal override = rs.getBigDecimal("billing_rate_override");
        String status = rs.getString("status");
        return new Agent(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("email"),
                rs.getString("description"), rs.getString("model"), status,
                PausedBy.read(rs.getString("paused_by")), rs.getObject("org_id", UUID.class),
                rs.getString("org_name"), override, override != null ? override : rs.getBigDecimal("org_rate"),
                rs.getString("org_currency").trim(), rs.getBigDecimal("monthly_budget"),
                Agent.effectiveStatus(status, rs.getBoolean("org_active")),
                Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }
}
