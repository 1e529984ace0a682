package io.tenantry.jdbc;

import javax.sql.DataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Reads the vendor once, at start-up, for every class whose SQL depends on it. */
@Configuration
class DatabaseVendorConfiguration {

    @Bean
    DatabaseVendor databaseVendor(DataSource dataSource) {
        return DatabaseVendor.of(dataSource);
    }
}
