package io.tenantry.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tags on a thing an org keeps (a knowledge document, a memory entry): single-line words
 * compared in lower case, each once, a bounded number of them.
 */
public final class Tags {

    public static final int MAX = 20;
    public static final int LENGTH = 64;

    private Tags() {
    }

    /** Tags as stored: trimmed, in lower case, each once, at most {@value #MAX}; null gives none. */
    public static List<String> of(Object value, String what) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> given)) {
            throw ApiException.badRequest("tags", "tags must be a list of words.");
        }
        List<String> tags = new ArrayList<>();
        for (Object one : given) {
            if (!(one instanceof String text)) {
                throw ApiException.badRequest("tags", "tags must be a list of words.");
            }
            if (text.isBlank()) {
                throw ApiException.badRequest("tags", "tags must not hold an empty tag.");
            }
            String tag = one("tags", text);
            if (!tags.contains(tag)) {
                tags.add(tag);
            }
        }
        if (tags.size() > MAX) {
            throw ApiException.badRequest("tags", what + " has at most " + MAX + " tags.");
        }
        return List.copyOf(tags);
    }

    /** A tag to filter by (the parameter {@code tag}), or null when none is given. */
    public static String optional(String text) {
        return text == null || text.isBlank() ? null : one("tag", text);
    }

    private static String one(String field, String text) {
        return Fields.required(field, text, LENGTH).toLowerCase(Locale.ROOT);
    }
}
