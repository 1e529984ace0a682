package io.tenantry.gateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Settings -> Routes: which upstreams serve a model name agents ask for, in the order they
 * are tried. Kept and read by owners and admins.
 */
@Service
class Routes {

    /** As usage reports name models, so that what the gateway meters prices like any report. */
    static final String MODEL_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$";
    static final Pattern MODEL = Pattern.compile(MODEL_PATTERN);
    private static final Pattern UPSTREAM_MODEL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,199}$");
    static final int MAX_TARGETS = 5;
    static final int MAX_OUTPUT_TOKENS = 10_000_000;

    private final RouteRepository routes;
    private final ProviderRepository providers;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    Routes(RouteRepository routes, ProviderRepository providers, ScopedTransactions transactions, AuditLog audit) {
        this.routes = routes;
        this.providers = providers;
        this.transactions = transactions;
        this.audit = audit;
    }

    List<Route> list(OrgCallContext context) {
        context.requireOperator("see the gateway's routes");
        return transactions.read(context.reach(), routes::all);
    }

    Route get(OrgCallContext context, UUID id) {
        context.requireOperator("see the gateway's routes");
        return transactions.read(context.reach(), () -> routes.find(id).orElseThrow(Routes::notFound));
    }

    Route create(OrgCallContext context, RouteDefinition definition) {
        context.requireOperator("add gateway routes");
        String model = model(definition);
        OrgCallContext inReach = context.within(context.reach());
        try {
            return transactions.write(inReach.scope(), () -> {
                Route route = new Route(UUID.randomUUID(), model, targets(definition), context.at(), context.at());
                routes.insert(route);
                audit.recordPlatform(inReach, "gateway.route.created", "gateway_route", route.id(), null, route);
                return route;
            });
        } catch (DuplicateKeyException taken) {
            throw modelTaken(model);
        } catch (DataIntegrityViolationException raced) {
            throw providerGone();
        }
    }

    Route replace(OrgCallContext context, UUID id, RouteDefinition definition) {
        context.requireOperator("change gateway routes");
        String model = model(definition);
        OrgCallContext inReach = context.within(context.reach());
        try {
            return transactions.write(inReach.scope(), () -> {
                if (!routes.lock(id)) {
                    throw notFound();
                }
                Route before = routes.find(id).orElseThrow(Routes::notFound);
                Route after = new Route(id, model, targets(definition), before.createdAt(), context.at());
                routes.update(after);
                audit.recordPlatform(inReach, "gateway.route.changed", "gateway_route", id, before, after);
                return after;
            });
        } catch (DuplicateKeyException taken) {
            throw modelTaken(model);
        } catch (DataIntegrityViolationException raced) {
            throw providerGone();
        }
    }

    void delete(OrgCallContext context, UUID id) {
        context.requireOperator("remove gateway routes");
        OrgCallContext inReach = context.within(context.reach());
        transactions.write(inReach.scope(), () -> {
            if (!routes.lock(id)) {
                throw notFound();
            }
            Route before = routes.find(id).orElseThrow(Routes::notFound);
            routes.delete(id);
            audit.recordPlatform(inReach, "gateway.route.removed", "gateway_route", id, before, null);
        });
    }

    private static String model(RouteDefinition definition) {
        if (definition == null) {
            throw ApiException.badRequest(null, "Send the route: {model, targets: [{provider, model}]}.");
        }
        String model = definition.model();
        if (model == null || !MODEL.matcher(model).matches()) {
            throw ApiException.badRequest("model", "model is required: up to 100 letters, digits and . _ : @ -, "
                    + "starting with a letter or digit.");
        }
        return model;
    }

    private List<Route.Target> targets(RouteDefinition definition) {
        List<RouteDefinition.TargetDefinition> given = definition.targets();
        if (given == null || given.isEmpty() || given.size() > MAX_TARGETS) {
            throw ApiException.badRequest("targets", "targets is required: 1 to " + MAX_TARGETS + " upstreams, "
                    + "each {provider, model}, tried in order.");
        }
        List<Route.Target> targets = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            RouteDefinition.TargetDefinition target = given.get(i);
            String at = "targets[" + i + "]";
            if (target == null) {
                throw ApiException.badRequest(at, at + " must be {provider, model}.");
            }
            if (target.model() == null || !UPSTREAM_MODEL.matcher(target.model()).matches()) {
                throw ApiException.badRequest(at + ".model", at + ".model is required: the provider's name for the "
                        + "model, up to 200 letters, digits and . _ : @ / + -.");
            }
            String name = target.provider() == null ? "" : target.provider();
            Provider provider = (name.length() > 64 ? null : providers.named(name).orElse(null));
            if (provider == null) {
                throw ApiException.badRequest(at + ".provider", at + ".provider must name a provider of Settings -> "
                        + "Providers.");
            }
            if (!seen.add(provider.id() + " " + target.model())) {
                throw ApiException.badRequest(at, at + " repeats an earlier target.");
            }
            Integer limit = target.maxOutputTokens();
            if (limit != null && (limit < 1 || limit > MAX_OUTPUT_TOKENS)) {
                throw ApiException.badRequest(at + ".maxOutputTokens", at + ".maxOutputTokens is the most the model "
                        + "answers with: 1 to " + MAX_OUTPUT_TOKENS + " tokens, or null for the gateway's default.");
            }
            targets.add(new Route.Target(provider.id(), provider.name(), target.model(), limit));
        }
        return targets;
    }

    private static ApiException notFound() {
        return ApiException.notFound("The route");
    }

    private static ApiException modelTaken(String model) {
        return ApiException.conflict("model", "A route for '" + model + "' exists already.");
    }

    private static ApiException providerGone() {
        return ApiException.conflict("targets", "A provider of this route was removed at the same moment; try again.");
    }
}
