package io.tenantry.api;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Ids as clients write them: only the canonical form of a UUID. {@link UUID#fromString}
 * also reads other scripts' digits ("５"), signs and short groups, so an id a person would
 * not recognise as the same one would still name a row.
 */
public final class Ids {

    private static final Pattern CANONICAL = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Ids() {
    }

    /** The id written in {@code text}; IllegalArgumentException unless it is canonical. */
    public static UUID parse(String text) {
        if (text == null || !CANONICAL.matcher(text).matches()) {
            throw new IllegalArgumentException("not a canonical id");
        }
        return UUID.fromString(text);
    }
}
