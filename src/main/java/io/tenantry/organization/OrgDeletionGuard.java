package io.tenantry.organization;

import java.util.Optional;
import java.util.UUID;

import io.tenantry.tenancy.OrgScope;

/**
 * A feature that holds things an organization cannot be deleted with. Each answers what is
 * in the way (a count and a sentence for the user) or empty when it has nothing there.
 */
public interface OrgDeletionGuard {

    Optional<DeletionCheck.Obstacle> obstacleToDeletion(OrgScope scope, UUID orgId);
}
