package io.tenantry.billing.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.api.Ids;
import io.tenantry.api.Numbers;
import io.tenantry.api.PlausibleTime;
import io.tenantry.billing.pricing.ModelPrices;

/**
 * Reads a usage report: one event, or {@code {events: [...]}} of up to {@value #MAX_BATCH}.
 * Every event is checked before anything is stored, and a problem names the event's
 * index and field, so a batch with one bad event is refused whole. Two checks wait for the
 * store (UsageIngestion.settle): an agent's event dated before its window is refused only if
 * it is not a retry of one already stored, and an Idempotency-Key may not name requests of
 * both forms (see {@link Read}).
 */
final class UsageReports {

    static final int MAX_BATCH = 1000;
    /** A trillion tokens in one event is far beyond any real call and keeps cost arithmetic bounded. */
    static final long MAX_TOKENS = 1_000_000_000_000L;
    private static final int MAX_EVENT_ID = 200;
    private static final Pattern EVENT_ID = Pattern.compile("[\\x21-\\x7e]{1," + MAX_EVENT_ID + "}");

    private static final Set<String> EVENT_FIELDS = Set.of("eventId", "model", "inputTokens", "outputTokens",
            "cachedInputTokens", "occurredAt");

    private UsageReports() {
    }

    /**
     * Who reports, and from when: an agent reports its own usage (its key names the agent),
     * only from the moment its key was issued, since it joined the org that holds it now, and
     * no further back than the lateness window, and may leave out occurredAt (meaning now); an
     * operator imports usage of any agent, naming it in each event, from any plausible time.
     */
    record Reporter(UUID agent, Instant earliest, boolean defaultsToNow) {

        static Reporter agent(AgentPrincipal agent, Instant now, Duration maxLateness) {
            // To the microsecond, as times are kept: the window's start is then one a reporter can send.
            Instant window = now.minus(maxLateness).truncatedTo(ChronoUnit.MICROS);
            Instant since = agent.speaksSince();
            return new Reporter(agent.agentId(), since.isAfter(window) ? since : window, true);
        }

        static Reporter operator() {
            return new Reporter(null, PlausibleTime.EARLIEST, false);
        }

        Set<String> fields() {
            if (agent != null) {
                return EVENT_FIELDS;
            }
            Set<String> fields = new HashSet<>(EVENT_FIELDS);
            fields.add("agentId");
            return fields;
        }
    }

    /**
     * A report as read. {@code tooEarly} are its events dated before the reporter's window,
     * each with the problem that refuses it unless it repeats an event already stored: a
     * retry of an acknowledged event is answered as the first time however late it comes
     * (the window moves on while a client retries, and a new key or a move starts it anew).
     */
    record Read(List<UsageEvent> events, List<TooEarly> tooEarly, List<KeyedByHeader> keyed) {
    }

    /** The event at {@code index}, and the problem that refuses it unless it is a retry. */
    record TooEarly(int index, ApiException refusal) {
    }

    /**
     * The event at {@code index} took its id from the Idempotency-Key header; {@code otherForm}
     * is the id the same key gives in the report's other form: key#0 for a single event (or a
     * batch of one, which is the same request), the key itself for an event of a larger batch.
     */
    record KeyedByHeader(int index, String otherForm, boolean batch) {
    }

    @SuppressWarnings("unchecked")
    static Read read(Map<String, Object> body, Reporter reporter, String idempotencyKey, Instant now) {
        if (body == null) {
            throw ApiException.badRequest(null, "Send one usage event, or {\"events\": [...]}.");
        }
        if (idempotencyKey != null && (!EVENT_ID.matcher(idempotencyKey).matches() || idempotencyKey.contains("#"))) {
            // No #: a batch's events are named key#0, key#1..., which must not be another key's.
            throw ApiException.badRequest("Idempotency-Key", "The Idempotency-Key header must be 1 to 200 visible "
                    + "characters other than #, or not be sent.");
        }
        if (idempotencyKey != null && idempotencyKey.startsWith(UsageEvent.SERVED_ID_PREFIX)) {
            throw ApiException.badRequest("Idempotency-Key", "Keys beginning '" + UsageEvent.SERVED_ID_PREFIX
                    + "' name the gateway's own calls; choose another.");
        }
        if (!body.containsKey("events")) {
            String eventId = text(body, "eventId", "");
            if (eventId != null && idempotencyKey != null && !eventId.equals(idempotencyKey)) {
                throw ApiException.badRequest("eventId", "eventId and the Idempotency-Key header differ.");
            }
            List<TooEarly> tooEarly = new ArrayList<>(0);
            UsageEvent event = event(body, "", 0, reporter, eventId != null ? eventId : idempotencyKey,
                    idempotencyKey, now, tooEarly);
            return new Read(List.of(event), tooEarly, idempotencyKey == null ? List.of()
                    : List.of(new KeyedByHeader(0, idempotencyKey + "#0", false)));
        }
        onlyKnown(body, Set.of("events"), "", reporter);
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
        List<TooEarly> tooEarly = new ArrayList<>(0);
        List<KeyedByHeader> keyed = new ArrayList<>(0);
        Set<String> seen = new HashSet<>();
        boolean alone = events.size() == 1;
        for (int i = 0; i < events.size(); i++) {
            String at = "events[" + i + "].";
            if (!(events.get(i) instanceof Map<?, ?> event)) {
                throw ApiException.badRequest("events[" + i + "]", "events[" + i + "] must be an object.");
            }
            Map<String, Object> fields = (Map<String, Object>) event;
            String eventId = text(fields, "eventId", at);
            if (alone && eventId != null && idempotencyKey != null && !eventId.equals(idempotencyKey)) {
                // A batch of one is the same request as its event alone, held to the same rule.
                throw ApiException.badRequest(at + "eventId", at + "eventId and the Idempotency-Key header differ.");
            }
            if (eventId == null && idempotencyKey != null) {
                // A batch of one is the same request as its event sent alone, so it takes the same id.
                eventId = alone ? idempotencyKey : idempotencyKey + "#" + i;
                if (eventId.length() > MAX_EVENT_ID) {
                    throw ApiException.badRequest("Idempotency-Key", "The Idempotency-Key header names a batch's "
                            + "events key#0, key#1 and so on, each at most " + MAX_EVENT_ID + " characters: for a "
                            + "batch of " + events.size() + " events, the key may have at most "
                            + (MAX_EVENT_ID - ("#" + (events.size() - 1)).length()) + ".");
                }
                keyed.add(new KeyedByHeader(i, alone ? idempotencyKey + "#0" : idempotencyKey, !alone));
            }
            UsageEvent checked = event(fields, at, i, reporter, eventId, idempotencyKey, now, tooEarly);
            if (!seen.add(checked.agentId() + "|" + checked.eventId())) {
                throw ApiException.badRequest(at + "eventId", at + "eventId repeats an earlier event of this batch.");
            }
            read.add(checked);
        }
        return new Read(read, tooEarly, keyed);
    }

    private static UsageEvent event(Map<String, Object> fields, String at, int index, Reporter reporter,
            String eventId, String idempotencyKey, Instant now, List<TooEarly> tooEarly) {
        onlyKnown(fields, reporter.fields(), at, reporter);
        UUID agentId = reporter.agent() != null ? reporter.agent() : agentId(fields, at);
        if (eventId == null) {
            throw ApiException.badRequest(at + "eventId", at + "eventId (or an Idempotency-Key header) is required, "
                    + "so that a retried report is stored once.");
        }
        if (!EVENT_ID.matcher(eventId).matches()) {
            throw ApiException.badRequest(at + "eventId", at + "eventId must be 1 to 200 visible characters.");
        }
        if (eventId.startsWith(UsageEvent.SERVED_ID_PREFIX)) {
            throw ApiException.badRequest(at + "eventId", at + "eventId may not begin '" + UsageEvent.SERVED_ID_PREFIX
                    + "': such ids name the gateway's own calls.");
        }
        String model = text(fields, "model", at);
        if (model == null) {
            throw ApiException.badRequest(at + "model", at + "model is required: the model's name, such as gpt-4o.");
        }
        if (!ModelPrices.MODEL_NAME.matcher(model).matches()) {
            throw ApiException.badRequest(at + "model", at + "model may have up to 100 letters, digits and . _ : @ - "
                    + "and must start with a letter or digit, such as gpt-4o.");
        }
        long input = tokens(fields, "inputTokens", at, true);
        long output = tokens(fields, "outputTokens", at, true);
        long cached = tokens(fields, "cachedInputTokens", at, false);
        String time = text(fields, "occurredAt", at);
        if (time == null && fields.get("occurredAt") != null) {
            // Blank is not "left out": a reporter sending "" has a bug that arrival time would hide.
            throw ApiException.badRequest(at + "occurredAt", at + "occurredAt must be an ISO-8601 instant such as "
                    + "2026-01-31T09:30:00Z" + (reporter.defaultsToNow() ? ", or be left out." : "."));
        }
        Instant given = occurredAt(time, at, reporter, now);
        UsageEvent event = new UsageEvent(agentId, eventId, model, input, output, cached, billedAt(given, now), given,
                idempotencyKey, null);
        if (given != null && given.isBefore(reporter.earliest())) {
            tooEarly.add(new TooEarly(index, ApiException.badRequest(at + "occurredAt", at + "occurredAt is before "
                    + reporter.earliest() + ": an agent key reports usage only from when it was issued, since its "
                    + "agent joined its organization, and within the lateness window. An owner or admin imports "
                    + "older usage through /api/usage.")));
        }
        return event;
    }

    /** A field the server does not know is refused, never dropped: a typo must not change what is billed. */
    private static void onlyKnown(Map<String, Object> fields, Set<String> known, String at, Reporter reporter) {
        for (String name : fields.keySet()) {
            if (known.contains(name)) {
                continue;
            }
            if (name.equals("agentId") && reporter.agent() != null) {
                throw ApiException.badRequest(at + name, at + "agentId is not accepted here: an agent reports its "
                        + "own usage, and its key says which agent it is.");
            }
            throw ApiException.badRequest(at + name, at + name + " is not a field of a usage report. It takes: "
                    + String.join(", ", new TreeSet<>(known)) + ".");
        }
    }

    private static UUID agentId(Map<String, Object> fields, String at) {
        String value = text(fields, "agentId", at);
        if (value == null) {
            throw ApiException.badRequest(at + "agentId", at + "agentId is required.");
        }
        try {
            return Ids.parse(value);
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
        if (!(value instanceof Number)) {
            throw ApiException.badRequest(at + name, at + name + " must be a whole number.");
        }
        return Numbers.wholeNumber(at + name, value, 0, MAX_TOKENS);
    }

    /**
     * The time an event is billed at: the time given, or the arrival time where none was
     * given or the one given is still ahead of the server's clock (UsageEvent.FUTURE_SKEW).
     */
    private static Instant billedAt(Instant given, Instant now) {
        Instant arrival = now.truncatedTo(ChronoUnit.MICROS);
        return given == null || given.isAfter(arrival) ? arrival : given;
    }

    /**
     * When the usage happened as the reporter said: {@code value} as sent (null when left out,
     * where the reporter may leave it out), at most FUTURE_SKEW ahead of the server's clock.
     */
    private static Instant occurredAt(String value, String at, Reporter reporter, Instant now) {
        if (value == null) {
            if (reporter.defaultsToNow()) {
                return null;
            }
            throw ApiException.badRequest(at + "occurredAt", at + "occurredAt is required: when the usage happened.");
        }
        Instant when = Fields.givenInstant(at + "occurredAt", value);
        if (when.isAfter(now.plus(UsageEvent.FUTURE_SKEW))) {
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
