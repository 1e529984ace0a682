package io.tenantry.tenancy;

import java.util.Optional;
import java.util.UUID;

/** An authenticated principal, as far as tenancy needs to know it. */
public interface Caller {

    Actor actor();

    /** The org this caller is locked to (a bound user, an agent), if any. */
    Optional<UUID> lockedOrg();

    /** Owners and admins run the platform: organizations, agents, keys, users. */
    boolean operator();

    /** Owners alone decide what binds every organization (the guardrail baseline, other owners). */
    default boolean owner() {
        return false;
    }

    /**
     * Whether this caller may learn which orgs exist (their names and slugs): not a user whose
     * pages show no org's data, even though such a user is bound to none.
     */
    default boolean seesOrganizations() {
        return true;
    }

    /**
     * Whether this caller may see money: revenue, token cost, margin, budgets. Not a user
     * whose pages leave out Billing, whatever other page (Home) would show it.
     */
    default boolean seesBilling() {
        return true;
    }

    /**
     * Whether this caller may see the agency's side of the money: token cost, margin, cost
     * budgets and their alerts. Not a user given Billing without costs (a client's user reading
     * their bill), and never one who does not see billing.
     */
    default boolean seesCosts() {
        return seesBilling();
    }

    /**
     * Whether this caller sees an organization's page, its agents among it: not a user who
     * reads an organization's record for its Billing tab alone.
     */
    default boolean seesOrganizationPages() {
        return true;
    }

    /**
     * Whether this caller was given the dashboard page of this name ({@code vault},
     * {@code memory}, ...): for answers that gather the data of many pages, as the audit log.
     */
    default boolean hasPage(String page) {
        return true;
    }

    /** Every org this caller may ever touch, whatever org context it picks. */
    default OrgScope reach() {
        return lockedOrg().map(OrgScope::of).orElse(OrgScope.allOrgs());
    }
}
