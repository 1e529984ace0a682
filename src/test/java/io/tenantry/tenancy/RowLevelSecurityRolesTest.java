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
        return new RowLevelSecurityRoles.Facts("app_role", appSuperuser, appExempt, "owner_role", ownerExempt);
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
}
