package io.tenantry.gateway;

import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.Always;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;

/** Settings -> Routes: owners and admins only. */
@Tag(name = ApiTags.GATEWAY)
@RestController
@RequestMapping("/api/settings/routes")
class RouteController {

    private final Routes routes;

    RouteController(Routes routes) {
        this.routes = routes;
    }

    @Schema(name = "ItemsGatewayRoute")
    record Items(@Always List<Route> items) {
    }

    @Operation(operationId = "listGatewayRoutes", summary = "List the gateway's routes",
            description = "The model names agents may ask for, and the upstreams that serve each. Owners and admins "
                    + "only.")
    @GetMapping
    Items list(OrgCallContext context) {
        return new Items(routes.list(context));
    }

    @Operation(operationId = "addGatewayRoute", summary = "Add a route",
            description = "Agents may ask for the model from now on (unless their organization's allowedModels leave it "
                    + "out). Owners and admins only.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Route create(OrgCallContext context, @RequestBody(required = false) RouteDefinition definition) {
        return routes.create(context, definition);
    }

    @Operation(operationId = "getGatewayRoute", summary = "Get a route", description = "Owners and admins only.")
    @GetMapping("/{id}")
    Route get(OrgCallContext context, @PathVariable UUID id) {
        return routes.get(context, id);
    }

    @Operation(operationId = "replaceGatewayRoute", summary = "Change a route",
            description = "Replaces the route's model name and targets; calls already under way finish on the old "
                    + "targets. Owners and admins only.")
    @PutMapping("/{id}")
    Route replace(OrgCallContext context, @PathVariable UUID id,
            @RequestBody(required = false) RouteDefinition definition) {
        return routes.replace(context, id, definition);
    }

    @Operation(operationId = "removeGatewayRoute", summary = "Remove a route",
            description = "Agents asking for its model are answered 404 from then on. Owners and admins only.")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        routes.delete(context, id);
    }
}
