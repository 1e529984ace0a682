package io.tenantry.gateway;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tenantry.support.Api;
import io.tenantry.tenancy.DefaultOrg;

/**
 * A fake upstream set up as an operator would: its key stored in the default organization's
 * vault (not readable by agents), a provider for it, and a route from a model name agents ask
 * for to one upstream model. Names are unique per call, so tests sharing a context never meet.
 */
record UpstreamRoute(String provider, String model, String upstreamModel, String routeId) {

    /**
     * @param providerSettings more fields of the provider (timeouts), or none
     */
    static UpstreamRoute create(Api api, String owner, FakeUpstream fake, String prefix, String upstreamModel,
            Map<String, Object> providerSettings) {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String keyName = prefix.toUpperCase().replace('-', '_') + "_UPSTREAM_" + unique;
        api.post("/api/credentials").org(DefaultOrg.ID.toString()).as(owner).json(Map.of("name", keyName, "kind",
                "api_key", "value", "sk-" + UUID.randomUUID(), "agentReadable", false)).send().expect(201);
        String provider = prefix + "-" + unique;
        Map<String, Object> definition = new HashMap<>(providerSettings);
        definition.putAll(Map.of("name", provider, "baseUrl", fake.baseUrl(), "keyCredential", keyName));
        api.post("/api/settings/providers").as(owner).json(definition).send().expect(201);
        String model = prefix + "-model-" + unique;
        String upstream = upstreamModel != null ? upstreamModel : "upstream-" + prefix + "-" + unique;
        String routeId = api.post("/api/settings/routes").as(owner).json(Map.of("model", model, "targets",
                List.of(Map.of("provider", provider, "model", upstream)))).send().expect(201).id();
        return new UpstreamRoute(provider, model, upstream, routeId);
    }
}
