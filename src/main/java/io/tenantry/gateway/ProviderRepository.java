package io.tenantry.gateway;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Providers. Platform settings, not org data: no scope applies. */
@Repository
class ProviderRepository {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<LinkedHashMap<String, String>> HEADERS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final GatewayConfig config;

    ProviderRepository(JdbcClient jdbc, GatewayConfig config) {
        this.jdbc = jdbc;
        this.config = config;
    }

    List<Provider> all() {
        return jdbc.sql("select * from gateway_providers order by name").query(ProviderRepository::map).list();
    }

    Optional<Provider> find(UUID id) {
        return jdbc.sql("select * from gateway_providers where id = :id").param("id", id)
                .query(ProviderRepository::map).optional();
    }

    /** The providers of these ids, by id: a route's targets in one read. */
    Map<UUID, Provider> byIds(java.util.Set<UUID> ids) {
        Map<UUID, Provider> found = new LinkedHashMap<>();
        jdbc.sql("select * from gateway_providers where id in (:ids)").param("ids", ids)
                .query(ProviderRepository::map).list().forEach(p -> found.put(p.id(), p));
        return found;
    }

    Optional<Provider> lock(UUID id) {
        return jdbc.sql("select * from gateway_providers where id = :id for update").param("id", id)
                .query(ProviderRepository::map).optional();
    }

    Optional<Provider> named(String name) {
        return jdbc.sql("select * from gateway_providers where name = :name").param("name", name)
                .query(ProviderRepository::map).optional();
    }

    void insert(Provider provider) {
        jdbc.sql("""
                insert into gateway_providers (id, name, base_url, key_credential, key_header, extra_headers,
                       connect_timeout_ms, first_byte_timeout_ms, idle_timeout_ms, output_limit_field, created_at,
                       updated_at)
                values (:id, :name, :url, :credential, :keyHeader, :headers, :connect, :firstByte, :idle,
                        :outputLimitField, :created, :updated)
                """).params(params(provider)).update();
        config.changed();
    }

    void update(Provider provider) {
        jdbc.sql("""
                update gateway_providers set name = :name, base_url = :url, key_credential = :credential,
                       key_header = :keyHeader, extra_headers = :headers, connect_timeout_ms = :connect,
                       first_byte_timeout_ms = :firstByte, idle_timeout_ms = :idle,
                       output_limit_field = :outputLimitField, updated_at = :updated
                 where id = :id
                """).params(params(provider)).update();
        config.changed();
    }

    void delete(UUID id) {
        jdbc.sql("delete from gateway_providers where id = :id").param("id", id).update();
        config.changed();
    }

    /** The models of the routes that try this provider. */
    List<String> routedThrough(UUID id) {
        return jdbc.sql("""
                select distinct r.model from gateway_routes r join gateway_route_targets t on t.route_id = r.id
                 where t.provider_id = :id order by r.model
                """).param("id", id).query(String.class).list();
    }

    private static Map<String, Object> params(Provider provider) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("id", provider.id());
        params.put("name", provider.name());
        params.put("url", provider.baseUrl());
        params.put("credential", provider.keyCredential());
        params.put("keyHeader", provider.keyHeader());
        params.put("headers", JSON.writeValueAsString(provider.headers()));
        params.put("connect", provider.connectTimeoutMs());
        params.put("firstByte", provider.firstByteTimeoutMs());
        params.put("idle", provider.idleTimeoutMs());
        params.put("outputLimitField", provider.outputLimitField());
        params.put("created", Timestamps.of(provider.createdAt()));
        params.put("updated", Timestamps.of(provider.updatedAt()));
        return params;
    }

    static Provider map(ResultSet rs, int row) throws SQLException {
        return new Provider(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("base_url"),
                rs.getString("key_credential"), rs.getString("key_header"),
                JSON.readValue(rs.getString("extra_headers"), HEADERS), rs.getInt("connect_timeout_ms"),
                rs.getInt("first_byte_timeout_ms"), rs.getInt("idle_timeout_ms"), rs.getString("output_limit_field"),
                Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"));
    }
}
