package io.tenantry.policy;

import java.time.Instant;

import io.tenantry.api.Always;

/** A policy's content as it was from {@code createdAt} until the next version. */
public record PolicyVersion(@Always int version, @Always String content, @Always Instant createdAt,
        @Always String createdBy) {
}
