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

/** Settings -> Providers: owners and admins only. */
@Tag(name = ApiTags.GATEWAY)
@RestController
@RequestMapping("/api/settings/providers")
class ProviderController {

    private final Providers providers;

    ProviderController(Providers providers) {
        this.providers = providers;
    }

    @Schema(name = "ItemsGatewayProvider")
    record Items(@Always List<Provider> items) {
    }

    @Operation(operationId = "listGatewayProviders", summary = "List the gateway's providers",
            description = "The upstreams agents' calls may go to. Owners and admins only.")
    @GetMapping
    Items list(OrgCallContext context) {
        return new Items(providers.list(context));
    }

    @Operation(operationId = "addGatewayProvider", summary = "Add a provider",
            description = "An upstream that speaks OpenAI's protocol. Its key is a vault credential, named here. "
                    + "Owners and admins only.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Provider create(OrgCallContext context, @RequestBody(required = false) ProviderDefinition definition) {
        return providers.create(context, definition);
    }

    @Operation(operationId = "getGatewayProvider", summary = "Get a provider", description = "Owners and admins only.")
    @GetMapping("/{id}")
    Provider get(OrgCallContext context, @PathVariable UUID id) {
        return providers.get(context, id);
    }

    @Operation(operationId = "replaceGatewayProvider", summary = "Change a provider",
            description = "Replaces the provider's definition; what is left out takes its default. Owners and admins "
                    + "only.")
    @PutMapping("/{id}")
    Provider replace(OrgCallContext context, @PathVariable UUID id,
            @RequestBody(required = false) ProviderDefinition definition) {
        return providers.replace(context, id, definition);
    }

    @Operation(operationId = "removeGatewayProvider", summary = "Remove a provider",
            description = "Refused while a route tries it. Owners and admins only.")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        providers.delete(context, id);
    }
}
