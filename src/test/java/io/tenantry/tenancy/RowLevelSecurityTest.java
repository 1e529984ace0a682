package io.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.PostgresOnly;

/**
 * The second wall: on PostgreSQL, SQL that forgets its org filter still sees only the
 * transaction's scope, through the very connection pool the application uses.
 */
@TenantryTest
@PostgresOnly
class RowLevelSecurityTest {

    @LocalServerPort
    int port;

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    UUID orgA;
    UUID orgB;

    @BeforeAll
    void twoOrgsWithAgents() {
        Platform platform = new Platform(new Api(port));
        orgA = UUID.fromString(platform.createOrg("RLS A"));
        orgB = UUID.fromString(platform.createOrg("RLS B"));
        platform.createAgent(orgA.toString(), "RLS agent A");
        platform.createAgent(orgB.toString(), "RLS agent B");
    }

    /**
     * Tables that hold no org's data, each reviewed: identities looked up before any scope
     * exists, platform settings, and bookkeeping. A new table is either org data (an org_id
     * column, FORCE RLS and a policy) or added here after the same review.
     */
    static final Set<String> PLATFORM_TABLES = Set.of(
            "flyway_schema_history",
            "users", // bound by client_org_id; the repository filters by binding
            "sessions", "agent_keys", // resolved before a scope exists (agent keys via a definer function)
            "sign_in_throttles", // keyed by hashed address, no org
            "model_prices", "model_aliases", "fx_rates", // one price list, its aliases and one rate table for every org
            "billing_closed_months", // which months are closed, for every org at once
            "job_runs", // which node ran which periodic job when
            "usage_key_claims", // per agent, hashes of an Idempotency-Key and of its request's event ids
            "guardrail_baseline", // a count of baseline changes; the baseline's rules stay the default org's
            "knowledge_index_epoch", // which build of the nodes' search indexes is current, no org data
            // the gateway's providers and routes serve every org; keys stay in each org's vault
            "gateway_providers", "gateway_routes", "gateway_route_targets",
            "gateway_config"); // a count of changes of providers and routes

    @Test
    void theApplicationRoleIsNeitherSuperuserNorOwnerNorExempt() {
        Boolean superuser = jdbc.sql("select rolsuper from pg_roles where rolname = current_user").query(Boolean.class)
                .single();
        Boolean bypass = jdbc.sql("select rolbypassrls from pg_roles where rolname = current_user")
                .query(Boolean.class).single();
        List<String> owned = jdbc.sql("""
                select c.relname from pg_class c join pg_roles r on r.oid = c.relowner
                 where r.rolname = current_user and c.relkind = 'r'
                """).query(String.class).list();

        assertThat(superuser).isFalse();
        assertThat(bypass).isFalse();
        assertThat(owned).isEmpty();
    }

    /** The start-up check reads the roles the suite runs with as they are, and finds nothing wrong. */
    @Test
    void theStartUpCheckReadsTheRolesFromTheCatalog(@Autowired RowLevelSecurityRoles roles) {
        RowLevelSecurityRoles.Facts facts = roles.read();

        assertThat(facts).isEqualTo(new RowLevelSecurityRoles.Facts(io.tenantry.support.TestDatabase.APP_ROLE, false,
                false, null, io.tenantry.support.TestDatabase.OWNER_ROLE, true));
        assertThat(RowLevelSecurityRoles.problems(facts)).isEmpty();
    }

    /** Read from the catalog, so a table added tomorrow without its policy fails the build. */
    @Test
    void everyTableWithAnOrgIdIsForcedUnderRowLevelSecurityWithAPolicy() {
        List<String> tables = jdbc.sql("""
                select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'public' and c.relkind in ('r', 'p')
                """).query(String.class).list();
        // pg_attribute, not information_schema: the latter hides tables this role has no grant on.
        Set<String> withOrgId = new TreeSet<>(jdbc.sql("""
                select c.relname from pg_attribute a
                  join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attname = 'org_id'
                   and not a.attisdropped
                """).query(String.class).list());
        // Organizations are org data keyed by their own id.
        withOrgId.add("organizations");
        List<String> unprotected = jdbc.sql("""
                select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'public' and c.relname in (:tables)
                   and not (c.relrowsecurity and c.relforcerowsecurity
                            and exists (select 1 from pg_policies p
                                         where p.schemaname = 'public' and p.tablename = c.relname))
                """).param("tables", withOrgId).query(String.class).list();
        List<String> unreviewed = tables.stream().filter(t -> !withOrgId.contains(t) && !PLATFORM_TABLES.contains(t))
                .sorted().toList();

        assertThat(withOrgId).as("the catalog lists the tenant tables").contains("agents", "usage_events",
                "usage_rollups", "billing_statements", "budget_alerts");
        assertThat(unprotected).as("org tables without FORCE RLS and a policy").isEmpty();
        assertThat(unreviewed).as("tables with neither an org_id nor a place on the reviewed platform list")
                .isEmpty();
        assertThat(PLATFORM_TABLES).as("reviewed platform tables that no longer exist").allMatch(tables::contains);
    }

    @Test
    void aQueryThatForgetsTheOrgFilterSeesOnlyItsScope() {
        List<UUID> agentOrgs = transactions.read(OrgScope.of(orgA),
                () -> jdbc.sql("select org_id from agents").query(UUID.class).list());
        List<UUID> orgs = transactions.read(OrgScope.of(orgA),
                () -> jdbc.sql("select id from organizations").query(UUID.class).list());
        List<UUID> audited = transactions.read(OrgScope.of(orgA),
                () -> jdbc.sql("select distinct org_id from audit_events").query(UUID.class).list());

        assertThat(agentOrgs).isNotEmpty().containsOnly(orgA);
        assertThat(orgs).containsExactly(orgA);
        assertThat(audited).containsExactly(orgA);
    }

    @Test
    void aTransactionsOpeningStatementsRunInItsScope() {
        Pipeline opening = new Pipeline();
        Pipeline.Result<List<UUID>> seen = opening.query("select org_id from agents", Map.of(),
                new org.springframework.jdbc.core.RowMapperResultSetExtractor<>((rs, row) -> rs.getObject(1,
                        UUID.class)));
        Pipeline.Result<List<UUID>> ofB = opening.query("select org_id from agents where org_id = :b",
                Map.of("b", orgB), new org.springframework.jdbc.core.RowMapperResultSetExtractor<>((rs, row) ->
                        rs.getObject(1, UUID.class)));

        List<UUID> inWork = transactions.write(OrgScope.of(orgA), opening, () -> jdbc.sql("select org_id from agents")
                .query(UUID.class).list());

        assertThat(seen.get()).isNotEmpty().containsOnly(orgA);
        assertThat(ofB.get()).as("A's scope reading B's agents").isEmpty();
        assertThat(inWork).isNotEmpty().containsOnly(orgA);
        assertThat(jdbc.sql("select count(*) from agents").query(Long.class).single())
                .as("a pooled connection after the transaction").isZero();
    }

    @Test
    void aSingleStatementReadCarriesItsScopeAndLeavesNothingOnTheConnection() {
        List<UUID> seen = transactions.readOne(OrgScope.of(orgA), "select org_id from agents", Map.of(),
                (rs, row) -> rs.getObject(1, UUID.class));
        List<UUID> ofB = transactions.readOne(OrgScope.of(orgB), "select org_id from agents where org_id = :a",
                Map.of("a", orgA), (rs, row) -> rs.getObject(1, UUID.class));

        assertThat(seen).isNotEmpty().containsOnly(orgA);
        assertThat(ofB).as("B's scope reading A's agents").isEmpty();
        for (int i = 0; i < 20; i++) {
            assertThat(jdbc.sql("select count(*) from agents").query(Long.class).single())
                    .as("a pooled connection after single-statement reads").isZero();
        }
    }

    @Test
    void aQueryWithoutAnyScopeSeesNothing() {
        Long agents = jdbc.sql("select count(*) from agents").query(Long.class).single();
        Long orgs = jdbc.sql("select count(*) from organizations").query(Long.class).single();

        assertThat(agents).isZero();
        assertThat(orgs).isZero();
    }

    @Test
    void aWriteIntoAnotherOrgIsRefusedByTheDatabase() {
        assertThatThrownBy(() -> transactions.write(OrgScope.of(orgA), () -> jdbc.sql("""
                insert into agents (id, org_id, name, status, created_at, updated_at)
                values (:id, :org, 'smuggled', 'active', now(), now())
                """).param("id", UUID.randomUUID()).param("org", orgB).update()))
                .rootCause().hasMessageContaining("row-level security");
        assertThatThrownBy(() -> transactions.write(OrgScope.of(orgA),
                () -> jdbc.sql("update agents set org_id = :b").param("b", orgB).update()))
                .as("moving A's agents into B").rootCause().hasMessageContaining("row-level security");
    }

    @Test
    void anUpdateWithoutFilterTouchesOnlyTheScope() {
        int touched = transactions.write(OrgScope.of(orgB),
                () -> jdbc.sql("update agents set description = 'seen by B'").update());
        List<String> inA = transactions.read(OrgScope.of(orgA),
                () -> jdbc.sql("select coalesce(description, '') from agents").query(String.class).list());

        assertThat(touched).isPositive();
        assertThat(inA).doesNotContain("seen by B");
    }
}
