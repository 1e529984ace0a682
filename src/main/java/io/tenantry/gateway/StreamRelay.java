package io.tenantry.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
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
     * null), the index of its one choice (-1 for none or several), and whether it finishes a
     * choice (carries a finish_reason).
     */
    record Event(byte[] bytes, String text, ObjectNode contentChunk, int choice, boolean finishes) {
    }
    /** A single event larger than this is not an upstream we understand. */
    private static final int MAX_LINE = 8 * 1024 * 1024;

    private final boolean clientWantsUsage;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private final Map<String, StringBuilder> texts = new java.util.LinkedHashMap<>();
    /** The text the last string read belongs to. */
    private String lastKey;
    /** The same per choice (and one for the texts of no choice): where an event's text puts its line breaks. */
    private final Map<String, String> lastKeyOf = new java.util.HashMap<>();
    /** The characters (code points) of every text so far: what a max_tokens rule estimates an answer's tokens by. */
    private long characters;
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
            return opaque(data);
        }
        if (!(chunk instanceof ObjectNode object)) {
            return opaque(data);
        }
        if (object.has("error")) {
            // The upstream's own words may quote its key: the gateway ends the stream with its own error.
            upstreamFailed = true;
            done = true;
            return null;
        }
        boolean hasUsage = object.path("usage").isObject();
        StringBuilder carried = read(object);
        int choices = object.path("choices").size();
        int choiceIndex = choices == 1 ? object.path("choices").get(0).path("index").asInt(0) : -1;
        String content = choices == 1 ? object.path("choices").get(0).path("delta").path("content").asString("")
                : "";
        boolean plainContent = choices == 1 && !content.isEmpty() && carried.toString().equals(content);
        boolean finishes = false;
        for (JsonNode choice : object.path("choices")) {
            finishes |= choice.path("finish_reason").isString();
        }
        ObjectNode contentChunk = plainContent && !carried.isEmpty() ? object : null;
        if (hasUsage && !clientWantsUsage) {
            if (object.path("choices").isEmpty()) {
                return null;
            }
            object.remove("usage");
            return new Event(frame(object.toString()), carried.toString(), contentChunk, choiceIndex, finishes);
        }
        return new Event(frame(data), carried.toString(), contentChunk, choiceIndex, finishes);
    }

    /**
     * A whole (not streamed) answer, read as a stream of that one chunk: its texts, their
     * characters and a local count of its tokens are then what the same answer streamed gives.
     */
    static StreamRelay whole(ObjectNode answer) {
        StreamRelay relay = new StreamRelay(true);
        relay.read(answer);
        return relay;
    }

    /** Takes a chunk's usage and texts; answers the text it carries. */
    private StringBuilder read(ObjectNode object) {
        if (object.path("usage").isObject()) {
            usage = object.get("usage");
        }
        StringBuilder carried = new StringBuilder();
        int i = 0;
        for (JsonNode choice : object.path("choices")) {
            String key = "choice " + choice.path("index").asInt(i++);
            collect(choice, key, carried);
            if (choice.path("finish_reason").isString()) {
                finished = true;
            }
        }
        for (var field : object.properties()) {
            if (!field.getKey().equals("choices") && !field.getKey().equals("usage")
                    && !CallTexts.NOT_TEXT.contains(field.getKey())) {
                collect(field.getValue(), "chunk", carried);
            }
        }
        return carried;
    }

    /** Data that is not a JSON object: passed on as it is, and all of it text. */
    private Event opaque(String data) {
        StringBuilder carried = new StringBuilder();
        appendText("opaque", data, carried);
        return new Event(frame(data), carried.toString(), null, -1, false);
    }

    /**
     * Every string of a chunk's part a reader could see, but names, ids and enums: what the
     * guardrails judge and local counts count. Each field of each choice is a text of its own
     * (its content, its reasoning, each tool call's arguments), as a client puts them
     * together; where the stream moves from one to another, a line break keeps their words
     * apart in the text judged as it goes.
     */
    private void collect(JsonNode node, String key, StringBuilder carried) {
        if (node.isString()) {
            appendText(key, node.stringValue(), carried);
        } else if (node instanceof ObjectNode object) {
            for (var field : object.properties()) {
                if (field.getKey().equals("tool_calls") && field.getValue().isArray()) {
                    int j = 0;
                    for (JsonNode call : field.getValue()) {
                        collect(call, key + " tool " + call.path("index").asInt(j++), carried);
                    }
                } else if (!CallTexts.NOT_TEXT.contains(field.getKey())) {
                    collect(field.getValue(), key.contains(" tool ") || field.getKey().equals("delta")
                            || field.getKey().equals("message") || field.getKey().equals("function")
                            ? key : key + " " + field.getKey(), carried);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                collect(item, key, carried);
            }
        }
    }

    /**
     * Adds {@code part} of the text {@code key} to what the event carries, to the answer's
     * text, and to its own. Where the stream moves from one text to another, a line break
     * keeps their words apart: in the answer's text at every move, in an event's text only
     * at a move within its choice (the choices of an answer are read apart, and a line break
     * for a move between them would be judged as part of each).
     */
    private void appendText(String key, String part, StringBuilder carried) {
        String lastOfChoice = lastKeyOf.put(owner(key), key);
        if (lastOfChoice != null && !lastOfChoice.equals(key)) {
            carried.append('\n');
        }
        if (lastKey != null && !lastKey.equals(key)) {
            text.append('\n');
        }
        lastKey = key;
        carried.append(part);
        text.append(part);
        append(key, part);
    }

    /** The choice whose text {@code key} names ({@link #texts()}); -1 for a text of no choice. */
    static int choiceOf(String key) {
        if (!key.startsWith("choice ")) {
            return -1;
        }
        int end = key.indexOf(' ', 7);
        try {
            return Integer.parseInt(key, 7, end < 0 ? key.length() : end, 10);
        } catch (NumberFormatException notAnIndex) {
            return -1;
        }
    }

    private static String owner(String key) {
        int choice = choiceOf(key);
        return choice < 0 ? "" : "choice " + choice;
    }

    /**
     * Adds {@code part} to the text {@code key} and, unless it is log probabilities (the
     * answer's own tokens again, with alternatives), counts its characters; a pair of
     * surrogates split across chunks is one.
     */
    private void append(String key, String part) {
        StringBuilder whole = texts.computeIfAbsent(key, k -> new StringBuilder());
        if (!logprobs(key)) {
            characters += part.codePointCount(0, part.length());
            if (!whole.isEmpty() && !part.isEmpty() && Character.isHighSurrogate(whole.charAt(whole.length() - 1))
                    && Character.isLowSurrogate(part.charAt(0))) {
                characters--;
            }
        }
        whole.append(part);
    }

    private static boolean logprobs(String key) {
        return key.contains(" logprobs");
    }

    /**
     * How many characters the answer's texts hold so far, all choices' and tool calls' together,
     * without the line breaks put between them or log probabilities.
     */
    long characters() {
        return characters;
    }

    /** The answer's texts without log probabilities, one after another: what a local count of its tokens counts. */
    String answer() {
        StringBuilder answer = new StringBuilder();
        texts.forEach((key, whole) -> {
            if (!logprobs(key)) {
                answer.append(answer.isEmpty() ? "" : "\n").append(whole);
            }
        });
        return answer.toString();
    }

    /** The texts streamed so far, each choice's apart and each tool call's apart from its choice. */
    Map<String, StringBuilder> texts() {
        return texts;
    }

    /** An event of {@code chunk} as it is now (after a guardrail rewrote it). */
    static byte[] frame(ObjectNode chunk) {
        return frame(chunk.toString());
    }

    private static byte[] frame(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The chunk that ends a stream stopped by the guardrails, as OpenAI ends one its content
     * filter stopped: each of {@code choices} finished with {@code content_filter}.
     */
    static byte[] contentFilter(java.util.UUID callId, String model, Collection<Integer> choices) {
        List<Map<String, Object>> finished = new ArrayList<>();
        for (int choice : choices.isEmpty() ? List.of(0) : choices) {
            finished.add(Map.of("index", choice, "delta", Map.of(), "finish_reason", "content_filter"));
        }
        return frame(CallBody.JSON.writeValueAsString(Map.of("id", "chatcmpl-" + callId, "object",
                "chat.completion.chunk", "created", java.time.Instant.now().getEpochSecond(), "model", model,
                "choices", finished)));
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
