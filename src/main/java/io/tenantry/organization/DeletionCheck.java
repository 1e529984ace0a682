package io.tenantry.organization;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

import io.tenantry.api.Always;

/**
 * Whether an organization may be deleted now and, if not, what is in the way: asked before
 * the user confirms, so the dashboard can say why and offer the fix instead of failing.
 */
@Schema(name = "OrganizationDeletionCheck")
public record DeletionCheck(boolean deletable, @Always List<Obstacle> obstacles) {

    /** One thing in the way: {@code kind} says where it is fixed. */
    public record Obstacle(@Schema(allowableValues = {"default", "agents", "calls", "users", "billing"}) @Always String kind,
            long count, @Always String detail) {
    }

    String reasons() {
        return String.join(" ", obstacles.stream().map(Obstacle::detail).toList());
    }
}
