package io.tenantry.agent;

import io.tenantry.api.ApiException;

/**
 * What becomes of an agent's memory when it moves to another organization. Kept by default,
 * as the product guide says; cleared when it may hold the previous client's information.
 */
public enum MemoryOnMove {
    keep, clear;

    /** The choice in a request, keep when none is given. */
    static MemoryOnMove of(String value) {
        if (value == null) {
            return keep;
        }
        for (MemoryOnMove choice : values()) {
            if (choice.name().equals(value)) {
                return choice;
            }
        }
        throw ApiException.badRequest("memory", "memory must be 'keep' (the agent's memory moves with it) or "
                + "'clear' (it is deleted).");
    }

    /** As the audit log says what happened to the memory. */
    String done() {
        return this == keep ? "kept" : "cleared";
    }
}
