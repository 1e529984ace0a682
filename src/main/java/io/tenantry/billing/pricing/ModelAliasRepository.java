package io.tenantry.billing.pricing;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;

/** Model aliases. Platform-wide settings, not org data: no scope applies. */
@Repository
class ModelAliasRepository {

    private final JdbcClient jdbc;

    ModelAliasRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<ModelAlias> all() {
        return jdbc.sql("select * from model_aliases order by alias").query(ModelAliasRepository::map).list();
    }

    Optional<ModelAlias> find(String alias) {
        return jdbc.sql("select * from model_aliases where alias = :alias").param("alias", alias)
                .query(ModelAliasRepository::map).optional();
    }

    /** Locks the alias row if it exists, so two changes of one alias are applied one after the other. */
    Optional<ModelAlias> lock(String alias) {
        return jdbc.sql("select * from model_aliases where alias = :alias for update").param("alias", alias)
                .query(ModelAliasRepository::map).optional();
    }

    void insert(ModelAlias alias) {
        jdbc.sql("insert into model_aliases (alias, model, created_at, created_by) values (:alias, :model, :at, :by)")
                .param("alias", alias.alias()).param("model", alias.model())
                .param("at", Timestamps.of(alias.createdAt())).param("by", alias.createdBy()).update();
    }

    void update(ModelAlias alias) {
        jdbc.sql("update model_aliases set model = :model, created_at = :at, created_by = :by where alias = :alias")
                .param("alias", alias.alias()).param("model", alias.model())
                .param("at", Timestamps.of(alias.createdAt())).param("by", alias.createdBy()).update();
    }

    void delete(String alias) {
        jdbc.sql("delete from model_aliases where alias = :alias").param("alias", alias).update();
    }

    private static ModelAlias map(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new ModelAlias(rs.getString("alias"), rs.getString("model"), Timestamps.read(rs, "created_at"),
                rs.getString("created_by"));
    }
}
