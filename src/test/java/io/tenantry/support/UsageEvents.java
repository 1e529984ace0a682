package io.tenantry.support;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Usage events as a test reports them: a fresh event id each, the rest as given. */
public final class UsageEvents {

    private UsageEvents() {
    }

    /** One event, as an agent reports it (no agentId: the key says which agent). */
    public static Map<String, Object> event(String model, long input, long output, long cached, Instant at) {
        Map<String, Object> event = new HashMap<>();
        event.put("eventId", "ev-" + UUID.randomUUID());
        event.put("model", model);
        event.put("inputTokens", input);
        event.put("outputTokens", output);
        event.put("cachedInputTokens", cached);
        event.put("occurredAt", at.toString());
        return event;
    }

    /** The same event naming its agent, as an operator imports it through /api/usage. */
    public static Map<String, Object> withAgent(Map<String, Object> event, String agentId) {
        Map<String, Object> named = new HashMap<>(event);
        named.put("agentId", agentId);
        return named;
    }
}
