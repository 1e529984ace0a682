package io.tenantry.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

/**
 * The database this installation runs on. Where the SQL of the two differs, code asks this
 * value, by name, rather than a feature of one of them (such as row-level security) standing
 * in for "is this PostgreSQL".
 */
public enum DatabaseVendor {

    /** The embedded default: one process, no row-level security. */
    H2,
    /** Production: row-level security, several nodes may share it. */
    POSTGRESQL;

    /**
     * What the SQL written for PostgreSQL needs of H2, as its URL sets it (the default URL
     * does): PostgreSQL's dialect, lower-case names, nulls sorted last as PostgreSQL sorts
     * them, and commits on disk when acknowledged (UsageDurabilityTest). Without them the
     * server would start, then fail request after request.
     */
    private static final List<Map.Entry<String, String>> H2_SETTINGS = List.of(Map.entry("MODE", "PostgreSQL"),
            Map.entry("DATABASE_TO_LOWER", "TRUE"), Map.entry("DEFAULT_NULL_ORDERING", "HIGH"),
            Map.entry("WRITE_DELAY", "0"));

    /** Whether the database itself enforces the org scope (the second wall). */
    public boolean rowLevelSecurity() {
        return this == POSTGRESQL;
    }

    /**
     * The vendor of {@code dataSource}'s database; refuses any other database, and an H2
     * database without {@link #H2_SETTINGS}, with a message saying what to change.
     */
    public static DatabaseVendor of(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName();
            if ("PostgreSQL".equalsIgnoreCase(product)) {
                return POSTGRESQL;
            }
            if (!"H2".equalsIgnoreCase(product)) {
                throw new IllegalStateException("TENANTRY_DB_URL names a " + product + " database; Tenantry runs on "
                        + "PostgreSQL, or on the embedded H2 when TENANTRY_DB_URL is unset. Refusing to start.");
            }
            requireH2Settings(connection);
            return H2;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database this is", e);
        }
    }

    private static void requireH2Settings(Connection connection) throws SQLException {
        Map<String, String> actual = new HashMap<>();
        try (ResultSet rows = connection.createStatement().executeQuery(
                "select setting_name, setting_value from information_schema.settings")) {
            while (rows.next()) {
                actual.put(rows.getString(1), rows.getString(2));
            }
        }
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> setting : H2_SETTINGS) {
            if (!setting.getValue().equalsIgnoreCase(actual.get(setting.getKey()))) {
                wrong.add(setting.getKey() + "=" + actual.get(setting.getKey()));
            }
        }
        if (!wrong.isEmpty()) {
            StringBuilder needed = new StringBuilder();
            H2_SETTINGS.forEach(s -> needed.append(';').append(s.getKey()).append('=').append(s.getValue()));
            throw new IllegalStateException("TENANTRY_DB_URL names an H2 database with " + String.join(", ", wrong)
                    + ": Tenantry's SQL needs H2 set up as its default URL sets it. Add " + needed + " to the URL "
                    + "(a database an earlier start made without them must be made again). Refusing to start.");
        }
    }
}
