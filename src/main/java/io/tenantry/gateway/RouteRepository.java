package io.tenantry.gateway;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;

/** Routes and their targets. Platform settings, not org data: no scope applies. */
@Repository
class RouteRepository {

    private final JdbcClient jdbc;
    private final GatewayConfig config;

    RouteRepository(JdbcClient jdbc, GatewayConfig config) {
        this.jdbc = jdbc;
        this.config = config;
    }

    private static final String SELECT = """
            select r.id, r.model, r.created_at, r.updated_at, t.position, t.provider_id, p.name as provider,
                   t.upstream_model, t.max_output_tokens
              from gateway_routes r
              join gateway_route_targets t on t.route_id = r.id
              join gateway_providers p on p.id = t.provider_id
            """;

    List<Route> all() {
        return routes(jdbc.sql(SELECT + " order by r.model, t.position").query(RouteRepository::row).list());
    }

    Optional<Route> find(UUID id) {
        return routes(jdbc.sql(SELECT + " where r.id = :id order by t.position").param("id", id)
                .query(RouteRepository::row).list()).stream().findFirst();
    }

    Optional<Route> forModel(String model) {
        return routes(jdbc.sql(SELECT + " where r.model = :model order by t.position").param("model", model)
                .query(RouteRepository::row).list()).stream().findFirst();
    }

    /** Locks the route, so that two changes of it apply one after the other. */
    boolean lock(UUID id) {
        return jdbc.sql("select id from gateway_routes where id = :id for update").param("id", id).query(UUID.class)
                .optional().isPresent();
    }

    void insert(Route route) {
        jdbc.sql("insert into gateway_routes (id, model, created_at, updated_at) values (:id, :model, :at, :at)")
                .param("id", route.id()).param("model", route.model()).param("at", Timestamps.of(route.createdAt()))
                .update();
        insertTargets(route);
        config.changed();
    }

    void update(Route route) {
        jdbc.sql("update gateway_routes set model = :model, updated_at = :at where id = :id").param("id", route.id())
                .param("model", route.model()).param("at", Timestamps.of(route.updatedAt())).update();
        jdbc.sql("delete from gateway_route_targets where route_id = :id").param("id", route.id()).update();
        insertTargets(route);
        config.changed();
    }

    void delete(UUID id) {
        jdbc.sql("delete from gateway_routes where id = :id").param("id", id).update();
        config.changed();
    }

    private void insertTargets(Route route) {
        for (int i = 0; i < route.targets().size(); i++) {
            Route.Target target = route.targets().get(i);
            jdbc.sql("""
                    insert into gateway_route_targets (route_id, position, provider_id, upstream_model,
                                                       max_output_tokens)
                    values (:route, :position, :provider, :model, :limit)
                    """).param("route", route.id()).param("position", i).param("provider", target.providerId())
                    .param("model", target.model()).param("limit", target.maxOutputTokens()).update();
        }
    }

    private record Row(UUID id, String model, Instant createdAt, Instant updatedAt, Route.Target target) {
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getString("model"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"), new Route.Target(rs.getObject("provider_id", UUID.class),
                        rs.getString("provider"), rs.getString("upstream_model"),
                        rs.getObject("max_output_tokens", Integer.class)));
    }

    private static List<Route> routes(List<Row> rows) {
        Map<UUID, List<Row>> byRoute = new LinkedHashMap<>();
        for (Row row : rows) {
            byRoute.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(row);
        }
        List<Route> routes = new ArrayList<>();
        for (List<Row> targets : byRoute.values()) {
            Row first = targets.get(0);
            routes.add(new Route(first.id(), first.model(), targets.stream().map(Row::target).toList(),
                    first.createdAt(), first.updatedAt()));
        }
        return routes;
    }
}
