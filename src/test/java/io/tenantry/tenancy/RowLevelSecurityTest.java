package io.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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
        List<String> unforced = jdbc.sql("""
                select relname from pg_class
                 where relname in ('organizations', 'agents', 'agent_assignments', 'audit_events')
                   and not (relrowsecurity and relforcerowsecurity)
                """).query(String.class).list();
        assertThat(superuser).isFalse();
        assertThat(bypass).isFalse();
        assertThat(owned).isEmpty();
        assertThat(unforced).isEmpty();
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
