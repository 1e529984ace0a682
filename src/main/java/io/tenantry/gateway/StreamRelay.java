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
 * text and tool-call arguments streamed (to count tokens when the upstream gives no usage),
 * whether a choice finished, and when the first token went out.
 */
final class StreamRelay {

    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    /** A single event larger than this is not an upstream we understand. */
    private static final int MAX_LINE = 8 * 1024 * 1024;

    private final boolean clientWantsUsage;
    private final long startNanos;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private JsonNode usage = MissingNode.getInstance();
    private boolean finished;
    private boolean done;
    private boolean upstreamFailed;
    private Integer firstTokenMs;

    StreamRelay(boolean clientWantsUsage, long startNanos) {
        this.clientWantsUsage = clientWantsUsage;
        this.startNanos = startNanos;
    }

    /** The events to send the client for these bytes of the upstream's stream. */
    List<byte[]> accept(byte[] bytes) {
        List<byte[]> events = new ArrayList<>();
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
            byte[] event = event(line.toString(StandardCharsets.UTF_8));
            line.reset();
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    private byte[] event(String raw) {
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
            return frame(data);
        }
        if (!(chunk instanceof ObjectNode object)) {
            return frame(data);
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
        boolean tokens = false;
        for (JsonNode choice : object.path("choices")) {
            JsonNode delta = choice.path("delta");
            String content = delta.path("content").asString("");
            String reasoning = delta.path("reasoning_content").asString("");
            this.text.append(content).append(reasoning);
            tokens |= !content.isEmpty() || !reasoning.isEmpty();
            for (JsonNode call : delta.path("tool_calls")) {
                String name = call.path("function").path("name").asString("");
                String arguments = call.path("function").path("arguments").asString("");
                this.text.append(name).append(arguments);
                tokens |= !name.isEmpty() || !arguments.isEmpty();
            }
            if (choice.path("finish_reason").isString()) {
                finished = true;
            }
        }
        if (tokens && firstTokenMs == null) {
            firstTokenMs = (int) ((System.nanoTime() - startNanos) / 1_000_000);
        }
        if (hasUsage && !clientWantsUsage) {
            if (object.path("choices").isEmpty()) {
                return null;
            }
            object.remove("usage");
            return frame(object.toString());
        }
        return frame(data);
    }

    private static byte[] frame(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
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

    Integer firstTokenMs() {
        return firstTokenMs;
    }
}
