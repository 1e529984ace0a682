package io.tenantry.organization;

import java.sql.ResultSet;
import java.sql.SQLException;
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
import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/** SQL for organizations; every method takes the scope it may see. */
@Repository
class OrganizationRepository {

    private static final String FIND = "select * from organizations where id = :id and ";

    private final JdbcClient jdbc;
    private final ScopedTransactions transactions;

    OrganizationRepository(JdbcClient jdbc, ScopedTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    Optional<Organization> find(OrgScope scope, UUID id) {
        return jdbc.sql(FIND + scope.sql("id")).param("id", id).params(scope.parameters())
                .query(OrganizationRepository::map).optional();
    }

    Pipeline.Result<Optional<Organization>> find(Pipeline pipeline, OrgScope scope, UUID id) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("id", id);
        return pipeline.query(FIND + scope.sql("id"), params, rs -> rs.next() ? Optional.of(map(rs, 0))
                : Optional.empty());
    }

    /** Locks the row until the transaction ends, so checks and the write see the same state. */
    Optional<Organization> lock(OrgScope scope, UUID id) {
        return jdbc.sql("select * from organizations where id = :id and " + scope.sql("id") + " for update")
                .param("id", id).params(scope.parameters())
                .query(OrganizationRepository::map).optional();
    }

    Set<UUID> existing(OrgScope scope, Collection<UUID> ids) {
        return new HashSet<>(jdbc.sql("select id from organizations where id in (:ids) and " + scope.sql("id"))
                .param("ids", ids).params(scope.parameters()).query(UUID.class).list());
    }

    boolean slugTaken(String slug) {
        return jdbc.sql("select count(*) from organizations where slug = :slug").param("slug", slug)
                .query(Long.class).single() > 0;
    }

    /** One page of the scope's organizations, in one statement (one round trip when no transaction is open). */
    CursorPage<Organization> list(OrgScope scope, String search, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from organizations where ").append(scope.sql("id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        if (search != null) {
            sql.append(" and (lower(name) like :search escape '\\' or slug like :search escape '\\')");
            params.put("search", Like.contains(search));
        }
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (name > :afterName or (name = :afterName and id > :afterId))");
            params.put("afterName", after.text(0));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by name, id limit :limit");
        params.put("limit", page.limit() + 1);
        List<Organization> rows = transactions.readOne(scope, sql.toString(), params, OrganizationRepository::map);
        return page.page(rows, o -> new String[] {o.name(), o.id().toString()});
    }

    List<Organization> all(OrgScope scope) {
        return jdbc.sql("select * from organizations where " + scope.sql("id") + " order by name, id")
                .params(scope.parameters()).query(OrganizationRepository::map).list();
    }

    long countClientOrgs(OrgScope scope) {
        return jdbc.sql("select count(*) from organizations where not is_default and " + scope.sql("id"))
                .params(scope.parameters()).query(Long.class).single();
    }

    /**
     * Inserts {@code org} unless its slug is taken, also by an organization being created
     * at this moment (which is waited for): answers whether it was inserted.
     */
    boolean insertUnlessSlugTaken(OrgScope scope, Organization org) {
        scope.requireWritable(org.id());
        return jdbc.sql("""
                insert into organizations (id, name, slug, contact_name, contact_email, description,
                    billing_rate_per_agent, currency, active, is_default, proration, monthly_budget, budget_thresholds,
                    time_zone, created_at, updated_at)
                values (:id, :name, :slug, :contactName, :contactEmail, :description,
                    :rate, :currency, :active, false, :proration, :budget, :thresholds, :zone, :at, :at)
                on conflict do nothing
                """)
                .param("proration", org.proration()).param("budget", org.monthlyBudget()).param("zone", org.timeZone())
                .param("thresholds", BillingTerms.stored(org.budgetAlertThresholds()))
                .param("id", org.id()).param("name", org.name()).param("slug", org.slug())
                .param("contactName", org.contactName()).param("contactEmail", org.contactEmail())
                .param("description", org.description()).param("rate", org.billingRatePerAgent())
                .param("currency", org.currency().name()).param("active", org.active())
                .param("at", Timestamps.of(org.createdAt()))
                .update() == 1;
    }

    void update(OrgScope scope, Organization org) {
        int rows = jdbc.sql("""
                update organizations set name = :name, contact_name = :contactName, contact_email = :contactEmail,
                    description = :description, billing_rate_per_agent = :rate, currency = :currency,
                    active = :active, proration = :proration, monthly_budget = :budget,
                    budget_thresholds = :thresholds, time_zone = :zone, updated_at = :at
                where id = :id and """ + " " + scope.sql("id"))
                .param("proration", org.proration()).param("budget", org.monthlyBudget()).param("zone", org.timeZone())
                .param("thresholds", BillingTerms.stored(org.budgetAlertThresholds()))
                .param("id", org.id()).param("name", org.name())
                .param("contactName", org.contactName()).param("contactEmail", org.contactEmail())
                .param("description", org.description()).param("rate", org.billingRatePerAgent())
                .param("currency", org.currency().name()).param("active", org.active())
                .param("at", Timestamps.of(org.updatedAt())).params(scope.parameters())
                .update();
        if (rows != 1) {
            throw new IllegalStateException("organization " + org.id() + " vanished inside its lock");
        }
    }

    /** Adds {@code delta} to the org's agent count; the org must lie in {@code scope}. */
    void countAgents(OrgScope scope, UUID id, int delta) {
        int rows = jdbc.sql("update organizations set agent_count = agent_count + :delta where id = :id and "
                + scope.sql("id")).param("delta", delta).param("id", id).params(scope.parameters()).update();
        if (rows != 1) {
            // Found a moment earlier in the same scope, so deleted meanwhile: an agent moved or
            // created into an organization whose deletion committed first.
            throw ApiException.notFound("The organization");
        }
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from organizations where id = :id and not is_default and " + scope.sql("id"))
                .param("id", id).params(scope.parameters()).update();
    }

    private static Organization map(ResultSet rs, int row) throws SQLException {
        return new Organization(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("slug"),
                rs.getString("contact_name"), rs.getString("contact_email"), rs.getString("description"),
                rs.getBigDecimal("billing_rate_per_agent"), BillingCurrency.valueOf(rs.getString("currency").trim()),
                rs.getBoolean("active"), rs.getBoolean("is_default"), rs.getString("proration"),
                rs.getBigDecimal("monthly_budget"), BillingTerms.read(rs.getString("budget_thresholds")),
                rs.getString("time_zone"), rs.getInt("agent_count"),
                Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"), null);
    }
}
