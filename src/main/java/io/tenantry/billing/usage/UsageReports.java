package io.tenantry.billing.usage;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.billing.pricing.ModelPrices;

/**
 * Reads a usage report: one event, or {@code {events: [...]}} of up to {@value #MAX_BATCH}.
 * Every event is checked before anything is stored, and a problem names the event's
 * index and field, so a batch with one bad event is refused whole.
 */
final class UsageReports {

    static final int MAX_BATCH = 1000;
    /** A trillion tokens in one event is far beyond any real call and keeps cost arithmetic bounded. */
    static final long MAX_TOKENS = 1_000_000_000_000L;
    /** How far ahead of the server's clock an agent's clock may run. */
    static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
    private static final Pattern EVENT_ID = Pattern.compile("[\\x21-\\x7e]{1,200}");

    private UsageReports() {
    }

    /**
     * @param fixedAgent the reporting agent (agent API), or null when each event names its
     *                   {@code agentId} (operator import)
     */
    @SuppressWarnings("unchecked")
    static List<UsageEvent> read(Map<String, Object> body, UUID fixedAgent, String idempotencyKey, Instant now) {
        if (body == null) {
            throw ApiException.badRequest(null, "Send one usage event, or {\"events\": [...]}.");
        }
        if (!body.containsKey("events")) {
            String eventId = text(body, "eventId", "");
            if (eventId != null && idempotencyKey != null && !eventId.equals(idempotencyKey)) {
                throw ApiException.badRequest("eventId", "eventId and the Idempotency-Key header differ.");
            }
            return List.of(event(body, "", fixedAgent, eventId != null ? eventId : idempotencyKey, now));
        }
        if (!(body.get("events") instanceof List<?> events)) {
            throw ApiException.badRequest("events", "events must be a list of usage events.");
        }
        if (events.isEmpty()) {
            throw ApiException.badRequest("events", "events is empty.");
        }
        if (events.size() > MAX_BATCH) {
            throw ApiException.badRequest("events", "A batch holds at most " + MAX_BATCH + " events; this one has "
                    + events.size() + ".");
        }
        List<UsageEvent> read = new ArrayList<>(events.size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            String at = "events[" + i + "].";
            if (!(events.get(i) instanceof Map<?, ?> event)) {
                throw ApiException.badRequest("events[" + i + "]", "events[" + i + "] must be an object.");
            }
            Map<String, Object> fields = (Map<String, Object>) event;
            String eventId = text(fields, "eventId", at);
            if (eventId == null && idempotencyKey != null) {
                eventId = idempotencyKey + "#" + i;
            }
            UsageEvent checked = event(fields, at, fixedAgent, eventId, now);
            if (!seen.add(checked.agentId() + "|" + checked.eventId())) {
                throw ApiException.badRequest(at + "eventId", at + "eventId repeats an earlier event of this batch.");
            }
            read.add(checked);
        }
        return read;
    }

    private static UsageEvent event(Map<String, Object> fields, String at, UUID fixedAgent, String eventId,
            Instant now) {
        UUID agentId = fixedAgent != null ? fixedAgent : agentId(fields, at);
        if (eventId == null) {
            throw ApiException.badRequest(at + "eventId", at + "eventId (or an Idempotency-Key header) is required, "
                    + "so that a retried report is stored once.");
        }
        if (!EVENT_ID.matcher(eventId).matches()) {
            throw ApiException.badRequest(at + "eventId", at + "eventId must be 1 to 200 visible characters.");
        }
        String model = text(fields, "model", at);
        if (model == null || !ModelPrices.MODEL_NAME.matcher(model).matches()) {
            throw ApiException.badRequest(at + "model", at + "model is required: the model's name, such as gpt-4o.");
        }
        return new UsageEvent(agentId, eventId, model, tokens(fields, "inputTokens", at, true),
                tokens(fields, "outputTokens", at, true), tokens(fields, "cachedInputTokens", at, false),
                occurredAt(fields, at, now));
    }

    private static UUID agentId(Map<String, Object> fields, String at) {
        String value = text(fields, "agentId", at);
        if (value == null) {
            throw ApiException.badRequest(at + "agentId", at + "agentId is required.");
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(at + "agentId", at + "agentId is not a valid id.");
        }
    }

    private static long tokens(Map<String, Object> fields, String name, String at, boolean required) {
        Object value = fields.get(name);
        if (value == null) {
            if (required) {
                throw ApiException.badRequest(at + name, at + name + " is required.");
            }
            return 0;
        }
        BigInteger count;
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            count = new BigInteger(value.toString());
        } else if (value instanceof BigDecimal decimal && decimal.stripTrailingZeros().scale() <= 0) {
            count = decimal.toBigIntegerExact();
        } else {
            throw ApiException.badRequest(at + name, at + name + " must be a whole number.");
        }
        if (count.signum() < 0) {
            throw ApiException.badRequest(at + name, at + name + " must not be negative.");
        }
        if (count.compareTo(BigInteger.valueOf(MAX_TOKENS)) > 0) {
            throw ApiException.badRequest(at + name, at + name + " must be at most " + MAX_TOKENS + ".");
        }
        return count.longValueExact();
    }

    private static Instant occurredAt(Map<String, Object> fields, String at, Instant now) {
        String value = text(fields, "occurredAt", at);
        if (value == null) {
            throw ApiException.badRequest(at + "occurredAt", at + "occurredAt is required: when the usage happened.");
        }
        Instant when = Fields.instant(at + "occurredAt", value);
        if (when.isAfter(now.plus(FUTURE_SKEW))) {
            throw ApiException.badRequest(at + "occurredAt", at + "occurredAt is in the future.");
        }
        return when.truncatedTo(ChronoUnit.MICROS);
    }

    private static String text(Map<String, Object> fields, String name, String at) {
        Object value = fields.get(name);
        if (value == null || value instanceof String) {
            String text = (String) value;
            return text == null || text.isBlank() ? null : text.strip();
        }
        throw ApiException.badRequest(at + name, at + name + " must be a string.");
    }
}
