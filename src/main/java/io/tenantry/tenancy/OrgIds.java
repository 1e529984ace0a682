package io.tenantry.tenancy;

import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** organizations, asked only whether one exists ({@link KnownOrgs}). */
@Repository
class OrgIds {

    private final JdbcClient jdbc;

    OrgIds(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether {@code id} is an organization in {@code scope}. */
    boolean exists(OrgScope scope, UUID id) {
        return jdbc.sql("select count(*) from organizations where id = :id and " + scope.sql("id")).param("id", id)
                .params(scope.parameters()).query(Long.class).single() > 0;
    }
}
