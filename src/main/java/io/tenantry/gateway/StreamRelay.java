package io.tenantry.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an upstream's server-sent events and gives back the events the client gets: the
 * same chunks, except the usage the gateway asked for on the client's behalf when the client
 * did not ask for it. Along the way it keeps what it needs to meter the call: the usage, the
 * text and tool-call arguments streamed (to count tokens when the upstream gives no usage)
 * and whether a choice finished.
 */
final class StreamRelay {

    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * An event for the client: its bytes, the text it carries (content, reasoning, refusals,
     * tool and function calls, audio transcripts; empty for none), where that text is one
     * choice's plain content alone the chunk itself (which guardrails may rewrite, else
     * null), and the index of its one choice (-1 for none or several).
     */
    record Event(byte[] bytes, String text, ObjectNode contentChunk, int choice) {
    }
    /** A single event larger than this is not an upstream we understand. */
    private static final int MAX_LINE = 8 * 1024 * 1024;

    private final boolean clientWantsUsage;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private JsonNode usage = MissingNode.getInstance();
    private boolean finished;
    private boolean done;
    private boolean upstreamFailed;

    StreamRelay(boolean clientWantsUsage) {
        this.clientWantsUsage = clientWantsUsage;
    }

    /** The events to send the client for these bytes of the upstream's stream. */
    List<Event> accept(byte[] bytes) {
        List<Event> events = new ArrayList<>();
        for (byte b : bytes) {
            if (done) {
                break;
            }
            if (b != '\n') {
                if (line.size() >= MAX_LINE) {
                    throw new IllegalStateException("an upstream event is larger than " + MAX_LINE + " bytes");
                }
                line.write(b);
                continue;
            }
            Event event = event(line.toString(StandardCharsets.UTF_8));
            line.reset();
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    private Event event(String raw) {
        String text = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (!text.startsWith("data:")) {
            // Blank separators, comments, event names and ids: the gateway writes its own framing.
            return null;
        }
        String data = text.substring(5).trim();
        if (data.equals("[DONE]")) {
            done = true;
            return null;
        }
        JsonNode chunk;
        try {
            chunk = CallBody.JSON.readTree(data);
        } catch (Exception notJson) {
            return new Event(frame(data), "", null, -1);
        }
        if (!(chunk instanceof ObjectNode object)) {
            return new Event(frame(data), "", null, -1);
        }
        if (object.has("error")) {
            // The upstream's own words may quote its key: the gateway ends the stream with its own error.
            upstreamFailed = true;
            done = true;
            return null;
        }
        boolean hasUsage = object.path("usage").isObject();
        if (hasUsage) {
            usage = object.get("usage");
        }
        StringBuilder carried = new StringBuilder();
        boolean plainContent = object.path("choices").size() == 1;
        int choiceIndex = object.path("choices").size() == 1 ? object.path("choices").get(0).path("index").asInt(0)
                : -1;
        for (JsonNode choice : object.path("choices")) {
            JsonNode delta = choice.path("delta");
            String content = delta.path("content").asString("");
            int before = carried.length();
            carried.append(content).append(delta.path("reasoning_content").asString(""))
                    .append(delta.path("refusal").asString(""))
                    .append(delta.path("function_call").path("name").asString(""))
                    .append(delta.path("function_call").path("arguments").asString(""))
                    .append(delta.path("audio").path("transcript").asString(""));
            for (JsonNode call : delta.path("tool_calls")) {
                carried.append(call.path("function").path("name").asString(""))
                        .append(call.path("function").path("arguments").asString(""));
            }
            plainContent &= carried.length() - before == content.length();
            if (choice.path("finish_reason").isString()) {
                finished = true;
            }
        }
        this.text.append(carried);
        ObjectNode contentChunk = plainContent && !carried.isEmpty() ? object : null;
        if (hasUsage && !clientWantsUsage) {
            if (object.path("choices").isEmpty()) {
                return null;
            }
            object.remove("usage");
            return new Event(frame(object.toString()), carried.toString(), contentChunk, choiceIndex);
        }
        return new Event(frame(data), carried.toString(), contentChunk, choiceIndex);
    }

    /** An event of {@code chunk} as it is now (after a guardrail rewrote it). */
    static byte[] frame(ObjectNode chunk) {
        return frame(chunk.toString());
    }

    private static byte[] frame(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The chunk that ends a stream stopped by the guardrails, as OpenAI ends one its content filter stopped. */
    static byte[] contentFilter(java.util.UUID callId, String model) {
        return frame(CallBody.JSON.writeValueAsString(Map.of("id", "chatcmpl-" + callId, "object",
                "chat.completion.chunk", "created", java.time.Instant.now().getEpochSecond(), "model", model,
                "choices", List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "content_filter")))));
    }

    static byte[] errorEvent(String message, String type, String code) {
        return frame(CallBody.JSON.writeValueAsString(Map.of("error", Map.of("message", message, "type", type,
                "code", code))));
    }

    /** The upstream sent [DONE], or an error event. */
    boolean done() {
        return done;
    }

    /** The upstream sent an error event in its stream. */
    boolean upstreamFailed() {
        return upstreamFailed;
    }

    /** The stream may end: [DONE] came, or every choice had finished. */
    boolean finished() {
        return !upstreamFailed && (done || finished);
    }

    JsonNode usage() {
        return usage;
    }

    CharSequence text() {
        return text;
    }

}
