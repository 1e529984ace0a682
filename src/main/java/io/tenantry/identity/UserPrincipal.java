package io.tenantry.identity;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.Caller;

/**
 * A logged-in user, read fresh from the database on every request so that a change of
 * role, binding or pages applies to the very next request.
 */
public record UserPrincipal(UUID id, String email, String name, Role role, UUID clientOrgId, Set<Page> grantedPages)
        implements Caller {

    @Override
    public Actor actor() {
        return new Actor(Actor.Type.user, id, email);
    }

    /** Binding applies to role "user" only: owners and admins are never locked. */
    @Override
    public Optional<UUID> lockedOrg() {
        return role == Role.user ? Optional.ofNullable(clientOrgId) : Optional.empty();
    }

    @Override
    public boolean operator() {
        return role.operator();
    }

    @Override
    public boolean owner() {
        return role == Role.owner;
    }

    @Override
    public boolean seesOrganizations() {
        return operator() || lockedOrg().isPresent() || grantedPages.stream().anyMatch(Page::showsOrgData);
    }

    @Override
    public boolean seesOrganizationPages() {
        return pages().contains(Page.organizations);
    }

    @Override
    public boolean hasPage(String page) {
        return pages().stream().anyMatch(granted -> granted.name().equals(page));
    }

    @Override
    public boolean seesBilling() {
        return pages().contains(Page.billing);
    }

    @Override
    public boolean seesCosts() {
        return seesBilling() && pages().contains(Page.costs);
    }

    public Set<Page> pages() {
        return operator() ? EnumSet.allOf(Page.class) : grantedPages;
    }
}
