package io.tenantry.billing.pricing;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every price version of some models, read once, answering "which price at this time" in memory. */
public final class PriceBook {

    private final Map<String, List<ModelPrice>> versions;

    /** @param versions each model's versions, oldest first */
    PriceBook(Map<String, List<ModelPrice>> versions) {
        this.versions = versions;
    }

    /** Every version that prices {@code model}, oldest first; none when it has no price. */
    public List<ModelPrice> versions(String model) {
        return versions.getOrDefault(model, List.of());
    }

    /** The version of {@code model} in force at {@code at}, if any. */
    public Optional<ModelPrice> at(String model, Instant at) {
        ModelPrice inForce = null;
        for (ModelPrice version : versions.getOrDefault(model, List.of())) {
            if (version.effectiveFrom().isAfter(at)) {
                break;
            }
            inForce = version;
        }
        return Optional.ofNullable(inForce);
    }
}
