package io.tenantry.identity;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import io.tenantry.api.Always;

/**
 * A dashboard user as the API shows it. {@code pages} are the pages in force: every page
 * for owners and admins. {@code clientOrgId} binds a user of role "user" to one org; for
 * owners and admins it is kept but ignored.
 */
public record User(@Always UUID id, @Always String email, @Always String name, @Always Role role, UUID clientOrgId, @Always Set<Page> pages,
        @Always Instant createdAt, @Always Instant updatedAt) {

    Object auditState() {
        return new Audited(email, name, role, clientOrgId, Page.store(pages));
    }

    /**
     * As the log of {@code org} shows it: a binding to another organization is withheld, and
     * {@code otherOrg} says there is one, so that no org's log names another.
     */
    Object auditStateIn(UUID org) {
        if (clientOrgId == null || clientOrgId.equals(org)) {
            return auditState();
        }
        return new BoundElsewhere(email, name, role, true, Page.store(pages));
    }

    record Audited(String email, String name, Role role, UUID clientOrgId, String pages) {
    }

    record BoundElsewhere(String email, String name, Role role, boolean otherOrg, String pages) {
    }
}
