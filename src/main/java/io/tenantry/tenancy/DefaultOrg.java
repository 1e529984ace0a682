package io.tenantry.tenancy;

import java.util.UUID;

/** The operator's own organization: created by the first migration, never deleted. */
public final class DefaultOrg {

    public static final UUID ID = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private DefaultOrg() {
    }
}
