package io.tenantry.identity;

import java.util.Locale;

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
        try {
            return valueOf(value.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("role", "role must be owner, admin or user.");
        }
    }
}
