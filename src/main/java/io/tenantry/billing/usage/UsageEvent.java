package io.tenantry.billing.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.tenantry.crypto.Sha256;

/**
 * One reported use of a model, checked and ready to store. {@code occurredAt} is the time it
 * is billed at: the time the reporter gave ({@code given}), or the arrival time where it gave
 * none or one still ahead of the server's clock. {@code fingerprint} identifies its content
 * as the reporter sent it, so a retry with the same event id can be told from a different
 * event reusing the id: a retry arrives later, and is still the same event.
 * {@code idempotencyKey} is the Idempotency-Key its id was made from, if it was.
 * {@code servedBy}, for usage the server itself served (a gateway call), is the org whose
 * terms it was served on (its budget, its provider key, its rules); null for reported usage.
 */
public record UsageEvent(UUID agentId, String eventId, String model, long inputTokens, long outputTokens,
        long cachedInputTokens, Instant occurredAt, Instant given, String idempotencyKey, UUID servedBy) {

    /**
     * How far ahead of the server's clock a given occurredAt may be: reporters' clocks run
     * fast. Such a time is billed as the arrival time: which org holds the agent and which
     * price is in force then are not known yet, and usage is billed by what was so when it
     * happened.
     */
    public static final Duration FUTURE_SKEW = Duration.ofMinutes(5);

    /**
     * How the ids of usage the server served itself begin (a gateway call's, its sweep's
     * remainder): reports may not use it, so that no report can take a call's id before the
     * call is billed, or be taken for one.
     */
    public static final String SERVED_ID_PREFIX = "gateway:";

    /** An event billed at the time it was given. */
    public static UsageEvent at(UUID agentId, String eventId, String model, long inputTokens, long outputTokens,
            long cachedInputTokens, Instant occurredAt) {
        return new UsageEvent(agentId, eventId, model, inputTokens, outputTokens, cachedInputTokens, occurredAt,
                occurredAt, null, null);
    }

    /** This event as served on the terms of {@code orgId}. */
    public UsageEvent servedBy(UUID orgId) {
        return new UsageEvent(agentId, eventId, model, inputTokens, outputTokens, cachedInputTokens, occurredAt, given,
                idempotencyKey, orgId);
    }

    /** This event billed at {@code at} instead. */
    UsageEvent billedAt(Instant at) {
        return new UsageEvent(agentId, eventId, model, inputTokens, outputTokens, cachedInputTokens, at, given,
                idempotencyKey, servedBy);
    }

    /** This event under another id: the id its Idempotency-Key gave it in a report of another form. */
    UsageEvent withId(String otherId) {
        return new UsageEvent(agentId, otherId, model, inputTokens, outputTokens, cachedInputTokens, occurredAt, given,
                idempotencyKey, servedBy);
    }

    /** This event as it would have been had it been sent without a time. */
    UsageEvent onArrival() {
        return new UsageEvent(agentId, eventId, model, inputTokens, outputTokens, cachedInputTokens, occurredAt, null,
                idempotencyKey, servedBy);
    }

    String fingerprint() {
        return Sha256.hex(agentId + "|" + model + "|" + inputTokens + "|" + outputTokens + "|"
                + cachedInputTokens + "|" + (given != null ? given : "on arrival"));
    }
}
