package io.tenantry.billing.pricing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.Pipeline;

/** Model price versions. Platform-wide settings, not org data: no scope applies. */
@Repository
class ModelPriceRepository {

    /** Each asked name's price versions: its own, or those of the model it is an alias of. */
    private static final String VERSIONS_FOR = "select p.*, p.model asked from model_prices p where p.model in"
            + " (:names) union all select p.*, a.alias asked from model_aliases a join model_prices p on p.model ="
            + " a.model where a.alias in (:names) order by asked, effective_from";

    private final JdbcClient jdbc;

    ModelPriceRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One page of model names, alphabetically. */
    CursorPage<String> models(PageRequest page) {
        StringBuilder sql = new StringBuilder("select distinct model from model_prices");
        Map<String, Object> params = new HashMap<>();
        if (!page.first()) {
            PageRequest.SortKey after = page.after(1);
            sql.append(" where model > :after");
            params.put("after", after.text(0));
        }
        sql.append(" order by model limit :limit");
        params.put("limit", page.limit() + 1);
        List<String> rows = jdbc.sql(sql.toString()).params(params).query(String.class).list();
        return page.page(rows, model -> new String[] {model});
    }

    /** Every version of these models, oldest first. */
    List<ModelPrice> versionsOf(Collection<String> models) {
        if (models.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from model_prices where model in (:models) order by model, effective_from")
                .param("models", models).query(ModelPriceRepository::map).list();
    }

    /** One model's versions, newest first. */
    CursorPage<ModelPrice> history(String model, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from model_prices where model = :model");
        Map<String, Object> params = new HashMap<>();
        params.put("model", model);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(1);
            sql.append(" and effective_from < :after");
            params.put("after", Timestamps.of(after.instant(0)));
        }
        sql.append(" order by effective_from desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<ModelPrice> rows = jdbc.sql(sql.toString()).params(params).query(ModelPriceRepository::map).list();
        return page.page(rows, p -> new String[] {p.effectiveFrom().toString()});
    }

    /**
     * The versions that price each of these names, oldest first: a model's own, or those of
     * the model it is an alias of. One read, whatever the number of names.
     */
    Map<String, List<ModelPrice>> versionsFor(Collection<String> names) {
        return names.isEmpty() ? Map.of()
                : jdbc.sql(VERSIONS_FOR).param("names", names).query(ModelPriceRepository::versionsByName);
    }

    /** The same, read with the other statements of {@code pipeline}. */
    Pipeline.Result<Map<String, List<ModelPrice>>> versionsFor(Pipeline pipeline, Collection<String> names) {
        return names.isEmpty() ? Pipeline.Result.of(Map.of())
                : pipeline.query(VERSIONS_FOR, Map.of("names", names), ModelPriceRepository::versionsByName);
    }

    private static Map<String, List<ModelPrice>> versionsByName(ResultSet rs) throws SQLException {
        Map<String, List<ModelPrice>> versions = new HashMap<>();
        for (int row = 0; rs.next(); row++) {
            versions.computeIfAbsent(rs.getString("asked"), k -> new java.util.ArrayList<>()).add(map(rs, row));
        }
        return versions;
    }

    /** Whether the model has a version that has taken effect by {@code at}. */
    boolean inForce(String model, java.time.Instant at) {
        return jdbc.sql("select count(*) from model_prices where model = :model and effective_from <= :at")
                .param("model", model).param("at", Timestamps.of(at)).query(Long.class).single() > 0;
    }

    boolean exists(String model) {
        return jdbc.sql("select count(*) from model_prices where model = :model").param("model", model)
                .query(Long.class).single() > 0;
    }

    boolean versionExists(String model, java.time.Instant effectiveFrom) {
        return jdbc.sql("select count(*) from model_prices where model = :model and effective_from = :from")
                .param("model", model).param("from", Timestamps.of(effectiveFrom)).query(Long.class).single() > 0;
    }

    /** The provider named by the model's latest version. */
    String providerOf(String model) {
        return jdbc.sql("select provider from model_prices where model = :model order by effective_from desc limit 1")
                .param("model", model).query(String.class).single();
    }

    void insert(ModelPrice price) {
        jdbc.sql("""
                insert into model_prices (id, model, provider, input_per_million, output_per_million,
                                          cached_input_per_million, effective_from, source, created_at, created_by)
                values (:id, :model, :provider, :input, :output, :cached, :from, :source, :at, :by)
                """)
                .param("id", price.id()).param("model", price.model()).param("provider", price.provider())
                .param("input", price.inputPricePerMillion()).param("output", price.outputPricePerMillion())
                .param("cached", price.cachedInputPricePerMillion())
                .param("from", Timestamps.of(price.effectiveFrom())).param("source", price.source())
                .param("at", Timestamps.of(price.createdAt())).param("by", price.createdBy())
                .update();
    }

    private static ModelPrice map(ResultSet rs, int row) throws SQLException {
        return new ModelPrice(rs.getObject("id", UUID.class), rs.getString("model"), rs.getString("provider"),
                rs.getBigDecimal("input_per_million"), rs.getBigDecimal("output_per_million"),
                rs.getBigDecimal("cached_input_per_million"), ModelPrice.CURRENCY,
                Timestamps.read(rs, "effective_from"), rs.getString("source"), Timestamps.read(rs, "created_at"),
                rs.getString("created_by"));
    }
}
