package io.tenantry.api;

import java.util.List;

/** One page of a list: the items and the cursor of the next page (null on the last one). */
public record CursorPage<T>(@Always List<T> items, String nextCursor) {

    /** The same page with each item as {@code shown} makes it (for this reader, say), the cursor kept. */
    public <R> CursorPage<R> map(java.util.function.Function<? super T, ? extends R> shown) {
        return new CursorPage<>(items.stream().<R>map(shown).toList(), nextCursor);
    }
}
