package io.tenantry.tenancy;

import java.util.UUID;

/** Who did something, as the audit log records it. */
public record Actor(Type type, UUID id, String label) {

    public enum Type { user, agent, system, anonymous }

    public static Actor system(String label) {
        return new Actor(Type.system, null, label);
    }

    public static Actor anonymous(String label) {
        return new Actor(Type.anonymous, null, label);
    }
}
