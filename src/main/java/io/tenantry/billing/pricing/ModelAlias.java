package io.tenantry.billing.pricing;

import java.time.Instant;

import io.tenantry.api.Always;

/** A reported model name priced as another model; {@code createdBy} is shown to operators only. */
public record ModelAlias(@Always String alias, @Always String model, @Always Instant createdAt, String createdBy) {

    ModelAlias withoutAuthor() {
        return new ModelAlias(alias, model, createdAt, null);
    }
}
