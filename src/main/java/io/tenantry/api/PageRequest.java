package io.tenantry.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The {@code limit} and {@code cursor} of a list request. A cursor is opaque to clients:
 * the sort key of the last item seen, so pages stay stable while rows are added.
 */
public record PageRequest(int limit, List<String> cursorParts) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    private static final String SEPARATOR = "\u001f";

    public static PageRequest of(Integer limit, String cursor) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw ApiException.badRequest("limit", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
        return new PageRequest(size, cursor == null || cursor.isEmpty() ? null : decode(cursor));
    }

    public boolean first() {
        return cursorParts == null;
    }

    /** The cursor of the page after the one that ended with an item of this sort key. */
    public static String cursorOf(String... sortKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.join(SEPARATOR, sortKey).getBytes(StandardCharsets.UTF_8));
    }

    /** Trims a result fetched with {@code limit + 1} rows to a page and its next cursor. */
    public <T> CursorPage<T> page(List<T> rows, java.util.function.Function<T, String[]> sortKey) {
        if (rows.size() <= limit) {
            return new CursorPage<>(rows, null);
        }
        List<T> items = rows.subList(0, limit);
        return new CursorPage<>(List.copyOf(items), cursorOf(sortKey.apply(items.get(limit - 1))));
    }

    private static List<String> decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            // The keys given out hold no control character but their separator (names refuse them).
            if (raw.chars().anyMatch(c -> Character.isISOControl(c) && c != SEPARATOR.charAt(0))) {
                throw foreignCursor();
            }
            return List.of(raw.split(SEPARATOR, -1));
        } catch (IllegalArgumentException e) {
            throw foreignCursor();
        }
    }

    /**
     * The sort key the cursor carries, which must have exactly {@code parts} parts: each list's
     * key has a fixed shape, so a cursor of another shape was not given out by it.
     */
    public SortKey after(int parts) {
        if (cursorParts == null || cursorParts.size() != parts) {
            throw foreignCursor();
        }
        return new SortKey(cursorParts);
    }

    /** A cursor's sort key, its parts read as the list that gave it out wrote them. */
    public record SortKey(List<String> parts) {

        public String text(int n) {
            return parts.get(n);
        }

        public java.util.UUID id(int n) {
            try {
                return Ids.parse(parts.get(n));
            } catch (IllegalArgumentException e) {
                throw foreignCursor();
            }
        }

        public int wholeNumber(int n) {
            try {
                return Numbers.queryWholeNumber(parts.get(n));
            } catch (IllegalArgumentException e) {
                throw foreignCursor();
            }
        }

        public java.time.Instant instant(int n) {
            try {
                java.time.Instant at = java.time.Instant.parse(parts.get(n));
                if (!PlausibleTime.contains(at)) {
                    throw foreignCursor();
                }
                return at;
            } catch (java.time.format.DateTimeParseException e) {
                throw foreignCursor();
            }
        }
    }

    private static ApiException foreignCursor() {
        return ApiException.badRequest("cursor", "cursor is not one this API gave out; start again without it.");
    }
}
