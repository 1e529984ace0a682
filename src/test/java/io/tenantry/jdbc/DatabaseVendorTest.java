package io.tenantry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import io.tenantry.support.ServerProcess;

/**
 * An operator's TENANTRY_DB_URL is taken only for a database the SQL was written for: H2
 * set up as the default URL sets it, or PostgreSQL. Anything else stops the start with a
 * message saying what to change, before a migration writes to it.
 */
class DatabaseVendorTest {

    private static final String SETTINGS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    @Test
    void anH2DatabaseSetUpAsTheDefaultUrlSetsItIsH2() {
        assertThat(DatabaseVendor.of(h2("jdbc:h2:mem:" + UUID.randomUUID() + SETTINGS))).isEqualTo(DatabaseVendor.H2);
    }

    @Test
    void anH2DatabaseMissingASettingIsRefusedNamingIt() {
        assertThatThrownBy(() -> DatabaseVendor.of(h2("jdbc:h2:mem:" + UUID.randomUUID())))
                .hasMessageContaining("MODE=REGULAR").hasMessageContaining("DATABASE_TO_LOWER=false")
                .hasMessageContaining("DEFAULT_NULL_ORDERING=LOW")
                .hasMessageContaining("Add ;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0")
                .hasMessageContaining("Refusing to start");
        assertThatThrownBy(() -> DatabaseVendor.of(h2("jdbc:h2:mem:" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE"))).hasMessageContaining("with DEFAULT_NULL_ORDERING=LOW:");
    }

    @Test
    void anH2FileDatabaseThatAcknowledgesCommitsBeforeWritingThemIsRefused() throws Exception {
        Path directory = Files.createTempDirectory("tenantry-vendor");
        assertThatThrownBy(() -> DatabaseVendor.of(h2("jdbc:h2:file:" + directory.resolve("db") + SETTINGS)))
                .hasMessageContaining("with WRITE_DELAY=500:");
        assertThat(DatabaseVendor.of(h2("jdbc:h2:file:" + directory.resolve("db") + SETTINGS + ";WRITE_DELAY=0")))
                .isEqualTo(DatabaseVendor.H2);
    }

    @Test
    void anotherDatabaseIsRefused() throws Exception {
        DataSource mysql = mock(DataSource.class);
        Connection connection = mock(Connection.class);
        DatabaseMetaData metaData = mock(DatabaseMetaData.class);
        when(mysql.getConnection()).thenReturn(connection);
        when(connection.getMetaData()).thenReturn(metaData);
        when(metaData.getDatabaseProductName()).thenReturn("MySQL");
        assertThatThrownBy(() -> DatabaseVendor.of(mysql)).hasMessageContaining("names a MySQL database")
                .hasMessageContaining("Refusing to start");
    }

    /** A whole server on such a URL exits at start, its database untouched by any migration. */
    @Test
    void aServerOnAnH2UrlWithoutTheSettingsExitsAtStartHavingMigratedNothing() throws Exception {
        Path directory = Files.createTempDirectory("tenantry-vendor-server");
        String url = "jdbc:h2:file:" + directory.resolve("plain") + ";WRITE_DELAY=0";
        ServerProcess server = ServerProcess.on(Map.of(), Map.of("TENANTRY_DB_URL", url, "TENANTRY_DB_USER", "sa",
                "TENANTRY_DB_PASSWORD", "", "TENANTRY_DATA_DIR", directory.toString()));
        try {
            assertThatThrownBy(server::start).hasMessageContaining("the server exited");
            assertThat(server.log()).contains("names an H2 database with MODE=REGULAR")
                    .contains("Refusing to start");
        } finally {
            server.close();
        }
        try (Connection connection = h2(url).getConnection(); var tables = connection.createStatement()
                .executeQuery("select count(*) from information_schema.tables where table_schema = 'PUBLIC'")) {
            tables.next();
            assertThat(tables.getInt(1)).as("tables made in the refused database").isZero();
        }
    }

    private static DataSource h2(String url) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        dataSource.setUser("sa");
        return dataSource;
    }
}
