package io.tenantry.identity;

import io.tenantry.api.ApiException;

public enum Role {
    owner, admin, user;

    public boolean operator() {
        return this != user;
    }

    static Role parse(String value) {
        if (value == null) {
            throw ApiException.badRequest("role", "role is required: owner, admin or user.");
        }
        // Written exactly as the API document gives it: a role is who may do what, and a value
        // read leniently ("Owner", " owner") is one a client's own check may not have recognised.
        for (Role role : values()) {
            if (role.name().equals(value)) {
                return role;
            }
        }
        throw ApiException.badRequest("role", "role must be owner, admin or user (in lower case).");
    }
}
