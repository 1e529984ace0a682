package io.tenantry.billing.pricing;

import java.util.List;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Model aliases (Settings -> Models): usage reported as {@code alias} is priced with the
 * prices of {@code model}. An alias prices usage that arrives after it is set; usage stored
 * unpriced before is priced by a rerate, and usage already priced never changes. An alias
 * has no prices of its own and stands for a priced model that is not an alias, so one
 * lookup always ends at a price list.
 */
@Service
public class ModelAliases {

    private final ModelAliasRepository aliases;
    private final ModelPriceRepository prices;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final OrganizationService organizations;

    ModelAliases(ModelAliasRepository aliases, ModelPriceRepository prices, ScopedTransactions transactions,
            AuditLog audit, OrganizationService organizations) {
        this.aliases = aliases;
        this.prices = prices;
        this.transactions = transactions;
        this.audit = audit;
        this.organizations = organizations;
    }

    public List<ModelAlias> list(OrgCallContext context) {
        return transactions.read(context.scope(), () -> aliases.all().stream()
                .map(a -> context.caller().operator() ? a : a.withoutAuthor()).toList());
    }

    /** Sets (or changes) what {@code alias} is priced as. */
    public ModelAlias set(OrgCallContext context, String alias, String model) {
        context.requireOperator("change model aliases");
        String name = name("alias", alias);
        String target = name("model", model);
        if (name.equals(target)) {
            throw ApiException.badRequest("model", "A model cannot be an alias of itself.");
        }
        try {
            return write(context, name, target);
        } catch (DuplicateKeyException raced) {
            // Someone created the same alias at this moment: theirs is there now, so this is a change of it.
            return write(context, name, target);
        }
    }

    private ModelAlias write(OrgCallContext context, String name, String target) {
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        return transactions.write(reach, () -> {
            organizations.lockDefault(reach);
            if (prices.exists(name)) {
                throw ApiException.conflict("alias", "'" + name + "' has prices of its own: an alias would hide "
                        + "them. Map a name that has no price.");
            }
            aliases.find(target).ifPresent(other -> {
                throw ApiException.conflict("model", "'" + target + "' is itself an alias (of '" + other.model()
                        + "'): map to '" + other.model() + "' instead.");
            });
            if (!prices.inForce(target, context.at())) {
                throw ApiException.conflict("model", "'" + target + "' has no price in force: map to a model "
                        + "listed in Settings -> Models with a price that has taken effect.");
            }
            ModelAlias after = new ModelAlias(name, target, context.at(), context.actor().label());
            var before = aliases.lock(name);
            if (before.isPresent()) {
                aliases.update(after);
            } else {
                aliases.insert(after);
            }
            audit.recordPlatform(inReach, before.isPresent() ? "model_alias.changed" : "model_alias.created",
                    "model_alias", name, before.orElse(null), after);
            return after;
        });
    }

    public void remove(OrgCallContext context, String alias) {
        context.requireOperator("change model aliases");
        String name = name("alias", alias);
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        transactions.write(reach, () -> {
            organizations.lockDefault(reach);
            ModelAlias before = aliases.lock(name)
                    .orElseThrow(() -> ApiException.notFound("The alias '" + name + "'"));
            aliases.delete(name);
            audit.recordPlatform(inReach, "model_alias.removed", "model_alias", name, before, null);
            return null;
        });
    }

    private static String name(String field, String value) {
        try {
            return ModelPrices.modelName(value);
        } catch (ApiException e) {
            if ("alias".equals(field)) {
                throw ApiException.badRequest("alias", "The alias must be a model name: up to 100 letters, digits "
                        + "and . _ : @ - , starting with a letter or digit.");
            }
            throw e;
        }
    }
}
