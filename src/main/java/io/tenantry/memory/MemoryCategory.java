package io.tenantry.memory;

import java.util.Arrays;
import java.util.stream.Collectors;

import io.tenantry.api.ApiException;

/** What kind of thing an agent remembers. */
enum MemoryCategory {
    fact, preference, context, procedure, relationship;

    static final String NAMES = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    /** The category named, or a 400 naming the field when it is missing or not one. */
    static MemoryCategory required(String field, String value) {
        MemoryCategory category = parse(field, value);
        if (category == null) {
            throw ApiException.badRequest(field, field + " is required: one of " + NAMES + ".");
        }
        return category;
    }

    /** The category named, or a 400 naming the field; null stays null. */
    static MemoryCategory parse(String field, String value) {
        if (value == null) {
            return null;
        }
        for (MemoryCategory category : values()) {
            if (category.name().equals(value)) {
                return category;
            }
        }
        throw ApiException.badRequest(field, field + " must be one of " + NAMES + ".");
    }
}
