package io.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tenantry.support.PostgresOnly;
import io.tenantry.support.ServerProcess;
import io.tenantry.support.TestDatabase;

/**
 * A PostgreSQL installation whose roles would undo the isolation does not start: the
 * application connecting as a role exempt from row-level security, or the owner of the
 * agent key lookup not exempt from it.
 */
class RowLevelSecurityRolesTest {

    static RowLevelSecurityRoles.Facts facts(boolean appSuperuser, boolean appExempt, boolean ownerExempt) {
        return new RowLevelSecurityRoles.Facts("app_role", appSuperuser, appExempt, null, "owner_role", ownerExempt);
    }

    @Test
    void theRolesAsTheReadmeMakesThemPass() {
        assertThat(RowLevelSecurityRoles.problems(facts(false, false, true))).isEmpty();
    }

    @Test
    void eachWrongRoleIsNamedWithWhatItBreaks() {
        assertThat(RowLevelSecurityRoles.problems(facts(true, false, true))).singleElement().asString()
                .contains("app_role is a superuser").contains("TENANTRY_DB_USER");
        assertThat(RowLevelSecurityRoles.problems(facts(false, true, true))).singleElement().asString()
                .contains("app_role is exempt from row-level security (BYPASSRLS)");
        assertThat(RowLevelSecurityRoles.problems(facts(false, false, false))).singleElement().asString()
                .contains("owner_role").contains("no agent key could be resolved").contains("alter role owner_role bypassrls");
        assertThat(RowLevelSecurityRoles.problems(facts(false, true, false))).hasSize(2);
        assertThat(RowLevelSecurityRoles.problems(new RowLevelSecurityRoles.Facts("app_role", false, false,
                "owner_role", "owner_role", true))).singleElement().asString()
                .contains("app_role is a member of owner_role").contains("revoke");
    }

    /** One role for both, as an operator who skips the README's two roles might run it: the owner connects. */
    @Test
    @PostgresOnly
    void aServerConnectingAsTheExemptOwnerRefusesToStart() throws Exception {
        Map<String, String> database = ServerProcess.freshDatabase();
        Map<String, String> oneRole = new HashMap<>(database);
        oneRole.put("TENANTRY_DB_USER", TestDatabase.OWNER_ROLE);
        oneRole.put("TENANTRY_DB_PASSWORD", database.get("TENANTRY_DB_MIGRATION_PASSWORD"));
        ServerProcess server = ServerProcess.on(oneRole, oneRole);
        try {
            assertThatThrownBy(server::start).hasMessageContaining("the server exited");
            assertThat(server.log()).contains("The application's database role " + TestDatabase.OWNER_ROLE
                    + " is exempt from row-level security").contains("Refusing to start");
        } finally {
            server.close();
        }
    }

    /** A role that is not exempt itself, but may become the owner, is as good as the owner. */
    @Test
    @PostgresOnly
    void aServerConnectingAsAMemberOfTheOwnerRefusesToStart() throws Exception {
        Map<String, String> database = ServerProcess.freshDatabase();
        String member = "tenantry_test_member_" + java.util.UUID.randomUUID().toString().substring(0, 8);
        TestDatabase.asAdministrator("create role " + member + " login password 'member' in role "
                + TestDatabase.OWNER_ROLE);
        Map<String, String> asMember = new HashMap<>(database);
        asMember.put("TENANTRY_DB_USER", member);
        asMember.put("TENANTRY_DB_PASSWORD", "member");
        ServerProcess server = ServerProcess.on(asMember, asMember);
        try {
            assertThatThrownBy(server::start).hasMessageContaining("the server exited");
            assertThat(server.log()).contains("The application's database role " + member + " is a member of "
                    + TestDatabase.OWNER_ROLE).contains("Refusing to start");
        } finally {
            server.close();
            // The migrations granted it what the application's role gets: those go first.
            TestDatabase.asAdministrator(database.get("TENANTRY_DB_URL"), "drop owned by " + member);
            TestDatabase.asAdministrator("drop role " + member);
        }
    }
}
