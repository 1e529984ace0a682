package io.tenantry.tenancy;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.DatabaseVendor;

/**
 * On PostgreSQL, the two roles the isolation model rests on, checked before the server takes
 * a request: the application's role must be bound by row-level security (neither superuser
 * nor exempt from it), and the role owning the agent key lookup, which runs before any org
 * scope exists, must be exempt. A mistake in either started a server that looked healthy:
 * one served every org's rows to whatever SQL forgot its filter, the other refused every
 * agent key as if it were wrong, with nothing in the log.
 */
@Repository
class RowLevelSecurityRoles implements SmartInitializingSingleton {

    /**
     * What the catalog says of the two roles; {@code exemptRolesHeld}: the exempt roles the
     * application's role is a member of (it could become one), comma-separated, or null.
     */
    record Facts(String application, boolean applicationSuperuser, boolean applicationExempt, String exemptRolesHeld,
            String keyLookupOwner, boolean keyLookupOwnerExempt) {
    }

    private final JdbcClient jdbc;
    private final DatabaseVendor vendor;

    RowLevelSecurityRoles(JdbcClient jdbc, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.vendor = vendor;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (vendor != DatabaseVendor.POSTGRESQL) {
            return;
        }
        List<String> problems = problems(read());
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join(" ", problems) + " See the README, \"PostgreSQL\". Refusing "
                    + "to start.");
        }
    }

    Facts read() {
        return jdbc.sql("""
                select app.rolname as application, app.rolsuper as application_superuser,
                       app.rolbypassrls as application_exempt,
                       (select string_agg(held.rolname, ', ' order by held.rolname) from pg_roles held
                         where held.oid <> app.oid and (held.rolsuper or held.rolbypassrls)
                           and pg_has_role(app.oid, held.oid, 'MEMBER')) as exempt_roles_held,
                       owner.rolname as key_lookup_owner,
                       (owner.rolsuper or owner.rolbypassrls) as key_lookup_owner_exempt
                  from pg_roles app, pg_proc lookup join pg_roles owner on owner.oid = lookup.proowner
                 where app.rolname = current_user and lookup.proname = 'agent_key_principal'
                   and lookup.pronamespace = 'public'::regnamespace
                """).query((rs, n) -> new Facts(rs.getString("application"), rs.getBoolean("application_superuser"),
                rs.getBoolean("application_exempt"), rs.getString("exempt_roles_held"),
                rs.getString("key_lookup_owner"), rs.getBoolean("key_lookup_owner_exempt"))).single();
    }

    static List<String> problems(Facts facts) {
        List<String> problems = new ArrayList<>();
        if (facts.applicationSuperuser() || facts.applicationExempt()) {
            problems.add("The application's database role " + facts.application() + " is "
                    + (facts.applicationSuperuser() ? "a superuser" : "exempt from row-level security (BYPASSRLS)")
                    + ", so no organization's rows would be kept from another's by the database: connect as a role "
                    + "that is neither (TENANTRY_DB_USER), and run the migrations as the owner role "
                    + "(TENANTRY_DB_MIGRATION_USER).");
        }
        if (facts.exemptRolesHeld() != null) {
            problems.add("The application's database role " + facts.application() + " is a member of "
                    + facts.exemptRolesHeld() + ", exempt from row-level security, and could act as it (SET ROLE), "
                    + "past every organization's rows: revoke that membership.");
        }
        if (!facts.keyLookupOwnerExempt()) {
            problems.add("The role " + facts.keyLookupOwner() + ", which owns the tables and the agent key lookup, "
                    + "lacks BYPASSRLS, so no agent key could be resolved (every agent would be refused as if its key "
                    + "were wrong): alter role " + facts.keyLookupOwner() + " bypassrls.");
        }
        return problems;
    }
}
