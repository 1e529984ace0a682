package io.tenantry.identity;

import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.organization.DeletionCheck;
import io.tenantry.organization.OrgDeletionGuard;
import io.tenantry.tenancy.OrgScope;

/**
 * An org with users bound to it is not deleted: unbinding them silently would make them
 * unbound users, who see every organization.
 */
@Component
class UserOrgGuard implements OrgDeletionGuard {

    private final UserRepository users;

    UserOrgGuard(UserRepository users) {
        this.users = users;
    }

    @Override
    public Optional<DeletionCheck.Obstacle> obstacleToDeletion(OrgScope scope, UUID orgId) {
        long bound = users.boundTo(orgId);
        return bound == 0 ? Optional.empty()
                : Optional.of(new DeletionCheck.Obstacle("users", bound, bound + (bound == 1 ? " user is" : " users are")
                        + " bound to this organization: bind them elsewhere or delete them first."));
    }
}
