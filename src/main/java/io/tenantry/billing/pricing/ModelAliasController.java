package io.tenantry.billing.pricing;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;

/** Model aliases: read with the settings page, changed by owners and admins. */
@Tag(name = ApiTags.SETTINGS)
@RestController
@RequestMapping("/api/settings/model-aliases")
class ModelAliasController {

    private final ModelAliases aliases;

    ModelAliasController(ModelAliases aliases) {
        this.aliases = aliases;
    }

    @Schema(name = "ItemsModelAlias")
    record Items(@Always List<ModelAlias> items) {
    }

    @Schema(name = "ModelAliasTarget")
    record Target(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 100,
            pattern = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$",
            description = "A priced model that is not itself an alias.") String model) {
    }

    @Operation(operationId = "listModelAliases", summary = "List model aliases",
            description = "Model names reported by agents that are priced as another, priced model.")
    @GetMapping
    Items list(OrgCallContext context) {
        return new Items(aliases.list(context));
    }

    @Operation(operationId = "setModelAlias", summary = "Price a model name as another model",
            description = "Usage reported as the alias from now on is priced with the model's prices; rerate to price "
                    + "what was stored unpriced before. The alias must have no prices of its own. Owners and admins "
                    + "only.")
    @PutMapping("/{alias}")
    ModelAlias set(OrgCallContext context, @PathVariable String alias, @RequestBody(required = false) Target target) {
        if (target == null) {
            throw ApiException.badRequest(null, "Send {model: \"a priced model\"}.");
        }
        return aliases.set(context, alias, target.model());
    }

    @Operation(operationId = "removeModelAlias", summary = "Remove a model alias",
            description = "Usage reported as the name is unpriced again from now on; what was priced stays priced. "
                    + "Owners and admins only.")
    @DeleteMapping("/{alias}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void remove(OrgCallContext context, @PathVariable String alias) {
        aliases.remove(context, alias);
    }
}
