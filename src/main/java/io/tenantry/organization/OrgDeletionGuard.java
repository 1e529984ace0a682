package io.tenantry.organization;

import java.util.Optional;
import java.util.UUID;

import io.tenantry.tenancy.OrgScope;

/**
 * A feature that holds things an organization cannot be deleted with. Each answers what is
 * in the way (a count and a sentence for the user) or empty when it has nothing there.
 */
public interface OrgDeletionGuard {

    /**
     * Called in the deleting transaction before any obstacle is looked for: holds back, until
     * the delete commits, the concurrent work that could add an obstacle after the check.
     */
    default void holdStillForDeletion() {
    }

    Optional<DeletionCheck.Obstacle> obstacleToDeletion(OrgScope scope, UUID orgId);
}
