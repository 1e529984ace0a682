package io.tenantry.identity;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A dashboard user as the API shows it. {@code pages} are the pages in force: every page
 * for owners and admins. {@code clientOrgId} binds a user of role "user" to one org; for
 * owners and admins it is kept but ignored.
 */
public record User(UUID id, String email, String name, Role role, UUID clientOrgId, Set<Page> pages,
        Instant createdAt, Instant updatedAt) {

    Object auditState() {
        return new Audited(email, name, role, clientOrgId, Page.store(pages));
    }

    record Audited(String email, String name, Role role, UUID clientOrgId, String pages) {
    }
}
