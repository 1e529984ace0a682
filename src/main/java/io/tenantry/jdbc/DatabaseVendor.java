package io.tenantry.jdbc;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

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

    /** Whether the database itself enforces the org scope (the second wall). */
    public boolean rowLevelSecurity() {
        return this == POSTGRESQL;
    }

    public static DatabaseVendor of(DataSource dataSource) {
        try {
            String product = JdbcUtils.extractDatabaseMetaData(dataSource, metaData -> metaData.getDatabaseProductName());
            return "PostgreSQL".equalsIgnoreCase(product) ? POSTGRESQL : H2;
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("cannot tell which database this is", e);
        }
    }
}
