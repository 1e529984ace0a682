package io.tenantry.organization;

import java.util.Optional;
import java.util.UUID;

import io.tenantry.tenancy.OrgScope;

/**
 * A feature that holds things an organization cannot be deleted with. Each answers why
 * not (a sentence for the user) or empty when it has nothing in the way.
 */
public interface OrgDeletionGuard {

    Optional<String> reasonNotToDelete(OrgScope scope, UUID orgId);
}
