package io.tenantry.jdbc;

import java.util.Locale;

/** A "contains" pattern for {@code lower(column) like :pattern escape '\'} (a single backslash): the term's own wildcards are escaped. */
public final class Like {

    private Like() {
    }

    public static String contains(String term) {
        return "%" + term.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
