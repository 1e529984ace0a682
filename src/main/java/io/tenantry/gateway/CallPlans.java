package io.tenantry.gateway;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * What a call needs of the gateway's settings, kept between calls on this node: the providers
 * and routes (platform settings, one catalog for every org) and each org's own settings. A
 * call reads their counts of changes in one statement, sent with its other questions
 * ({@link CallQuestions}), and reads again only what moved; a change made on any node
 * therefore applies from the next call on every node, as the guardrails' rule sets do.
 */
@Component
class CallPlans {

    /** Enough for every active org of a large installation; past it, the map starts again. */
    private static final int MAX_ORGS = 10_000;

    private record Catalog(long version, Map<String, Route> routes, Map<UUID, Provider> providers) {
    }

    private record KeptSettings(long version, GatewaySettings settings) {
    }

    private final RouteRepository routes;
    private final ProviderRepository providers;
    private final GatewaySettingsRepository settings;
    private final GatewayConfig config;
    private final ScopedTransactions transactions;
    private volatile Catalog catalog = new Catalog(-1, Map.of(), Map.of());
    private final Map<UUID, KeptSettings> orgs = new ConcurrentHashMap<>();

    CallPlans(RouteRepository routes, ProviderRepository providers, GatewaySettingsRepository settings,
            GatewayConfig config, ScopedTransactions transactions) {
        this.routes = routes;
        this.providers = providers;
        this.settings = settings;
        this.config = config;
        this.transactions = transactions;
    }

    /**
     * The counts of changes a plan for an agent of {@code orgId} is checked against, asked
     * with {@code statements}, which run in {@code asked} (a scope that includes the org):
     * one round trip with the call's other questions.
     */
    Pipeline.Result<GatewayConfig.Versions> ask(Pipeline statements, OrgScope asked, UUID orgId) {
        return config.versions(statements, asked, orgId);
    }

    /**
     * The route, its providers and the org's settings for a call of an agent of {@code orgId}
     * to {@code model}, as of the counts {@code now} (what moved is read again, in the org's scope).
     */
    CallPlan plan(UUID orgId, String model, GatewayConfig.Versions now) {
        OrgScope scope = OrgScope.of(orgId);
        GatewaySettings own = settings(scope, orgId, now.settings());
        Catalog current = catalog(scope, now.config());
        Route route = own.allows(model) ? current.routes().get(model) : null;
        if (route == null) {
            throw GatewayError.modelNotFound(model);
        }
        Map<UUID, Provider> used = new HashMap<>();
        for (Route.Target target : route.targets()) {
            used.put(target.providerId(), current.providers().get(target.providerId()));
        }
        return new CallPlan(route, used, own);
    }

    /**
     * The vault credential the first provider of {@code model}'s route takes its key from, as
     * this node last read the catalog: a guess, asked together with the counts that tell
     * whether the catalog is still so.
     */
    Optional<String> firstKeyName(String model) {
        Catalog kept = catalog;
        Route route = kept.routes().get(model);
        if (route == null || route.targets().isEmpty()) {
            return Optional.empty();
        }
        Provider provider = kept.providers().get(route.targets().get(0).providerId());
        return provider == null ? Optional.empty() : Optional.ofNullable(provider.keyCredential());
    }

    /** The models agents of {@code orgId} may ask for, each with its route's creation time, by name. */
    Map<String, Instant> models(UUID orgId) {
        OrgScope scope = OrgScope.of(orgId);
        GatewayConfig.Versions now = config.versions(scope, orgId);
        GatewaySettings own = settings(scope, orgId, now.settings());
        Map<String, Instant> models = new LinkedHashMap<>();
        catalog(scope, now.config()).routes().values().stream().filter(route -> own.allows(route.model()))
                .sorted(Comparator.comparing(Route::model))
                .forEach(route -> models.put(route.model(), route.createdAt()));
        return models;
    }

    private GatewaySettings settings(OrgScope scope, UUID orgId, long version) {
        KeptSettings kept = orgs.get(orgId);
        if (kept != null && kept.version() == version) {
            return kept.settings();
        }
        // The count is read before the settings: these are at least that new, so a change made
        // in between is read again at the next call rather than missed.
        KeptSettings fresh = transactions.read(scope, () -> new KeptSettings(settings.version(scope, orgId),
                settings.find(scope, orgId).orElse(GatewaySettings.defaults(orgId))));
        if (orgs.size() >= MAX_ORGS) {
            orgs.clear();
        }
        orgs.put(orgId, fresh);
        return fresh.settings();
    }

    private Catalog catalog(OrgScope scope, long version) {
        Catalog kept = catalog;
        if (kept.version() == version) {
            return kept;
        }
        Catalog fresh = transactions.read(scope, () -> {
            long counted = config.version();
            Map<String, Route> byModel = new HashMap<>();
            for (Route route : routes.all()) {
                byModel.put(route.model(), route);
            }
            Map<UUID, Provider> byId = new HashMap<>();
            for (Provider provider : providers.all()) {
                byId.put(provider.id(), provider);
            }
            return new Catalog(counted, Map.copyOf(byModel), Map.copyOf(byId));
        });
        catalog = fresh;
        return fresh;
    }
}
