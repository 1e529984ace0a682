package io.tenantry.jdbc;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Reads the vendor once, at start-up, for every class whose SQL depends on it. */
@Configuration
class DatabaseVendorConfiguration {

    @Bean
    DatabaseVendor databaseVendor(DataSource dataSource) {
        return DatabaseVendor.of(dataSource);
    }

    /**
     * Migrations wait for the vendor, which refuses a database the server cannot run on:
     * refused before anything is written to it, not after its tables were made wrongly.
     */
    @Bean
    FlywayMigrationStrategy migrationsOnAKnownVendor(DatabaseVendor vendor) {
        return Flyway::migrate;
    }
}
